<#
.SYNOPSIS
    Writes the MAML help of the module's binary cmdlets from their help sources.
.DESCRIPTION
    Binary cmdlets cannot carry comment-based help. Each cmdlet has a small data file,
    src/TcpReplay.PowerShell/Help/<Cmdlet>.help.psd1, with the prose and the examples; the parameter
    facts (type, mandatory, position, pipeline input, aliases, sets) come from the built cmdlet itself, so
    they can never disagree with the code. The build fails when a cmdlet or a parameter has no text.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpSource,
    [Parameter(Mandatory)] [string] $OutputFile
)
$ErrorActionPreference = 'Stop'
$module = Import-Module -Name (Resolve-Path -Path $ModulePath).Path -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters + 'ProgressAction'
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
New-Item -ItemType Directory -Force -Path (Split-Path $OutputFile) | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutputFile, $settings)

function Write-Paras([string] $text) {
    foreach ($para in ($text -split "`r?`n`r?`n")) {
        $w.WriteElementString('para', $maml, $para.Trim())
    }
}

function Write-Parameter($parameter, $attribute, [string] $text, [bool] $inSyntax) {
    $w.WriteStartElement('command', 'parameter', $cmd)
    $w.WriteAttributeString('required', $attribute.IsMandatory.ToString().ToLower())
    $w.WriteAttributeString('variableLength', $parameter.ParameterType.IsArray.ToString().ToLower())
    $globbing = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $w.WriteAttributeString('globbing', $globbing.ToString().ToLower())
    $pipeline = @(if ($attribute.ValueFromPipeline) { 'ByValue' }; if ($attribute.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($attribute.Position -ge 0) { "$($attribute.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('name', $maml, $parameter.Name)
    $w.WriteStartElement('description', $maml); Write-Paras $text; $w.WriteEndElement()
    $typeName = $parameter.ParameterType.Name
    if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $w.WriteStartElement('command', 'parameterValue', $cmd)
        $w.WriteAttributeString('required', 'true'); $w.WriteAttributeString('variableLength', 'false')
        $w.WriteString($typeName); $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('name', $maml, $parameter.ParameterType.FullName); $w.WriteEndElement()
    if (-not $inSyntax) { $w.WriteElementString('defaultValue', $dev, 'None') }
    $w.WriteEndElement()
}

$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($command in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $sourceFile = Join-Path $HelpSource "$($command.Name).help.psd1"
    if (-not (Test-Path $sourceFile)) { throw "No help source for $($command.Name): write $sourceFile." }
    $help = Import-PowerShellDataFile -Path $sourceFile
    $ownParameters = $command.Parameters.Values | Where-Object { $_.Name -notin $common }
    foreach ($p in $ownParameters) {
        if (-not $help.Parameters[$p.Name]) { throw "Help source $sourceFile has no text for parameter -$($p.Name)." }
    }
    if ($help.Examples.Count -lt 2) { throw "Help source $sourceFile needs at least two examples." }

    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml); $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('name', $cmd, $command.Name)
    $w.WriteElementString('verb', $cmd, $command.Verb)
    $w.WriteElementString('noun', $cmd, $command.Noun)
    $w.WriteStartElement('description', $maml); Write-Paras $help.Synopsis; $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteStartElement('description', $maml); Write-Paras $help.Description; $w.WriteEndElement()

    $w.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd)
        $w.WriteElementString('name', $maml, $command.Name)
        foreach ($sp in ($set.Parameters | Where-Object { $_.Name -notin $common })) {
            $p = $command.Parameters[$sp.Name]
            $attribute = $p.ParameterSets[$set.Name]
            if (-not $attribute) { $attribute = $p.ParameterSets['__AllParameterSets'] }
            Write-Parameter $p $attribute $help.Parameters[$p.Name] $true
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $ownParameters) {
        $attribute = $p.ParameterSets.Values | Select-Object -First 1
        Write-Parameter $p $attribute $help.Parameters[$p.Name] $false
    }
    $w.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $help.Inputs), @('returnValues', 'returnValue', $help.Outputs))) {
        $w.WriteStartElement('command', $kind[0], $cmd)
        foreach ($entry in $kind[2].GetEnumerator()) {
            $w.WriteStartElement('command', $kind[1], $cmd)
            $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('name', $maml, $entry.Key); $w.WriteEndElement()
            $w.WriteStartElement('description', $maml); Write-Paras $entry.Value; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    if ($help.Notes) {
        $w.WriteStartElement('alertSet', $maml); $w.WriteStartElement('alert', $maml); Write-Paras $help.Notes; $w.WriteEndElement(); $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $cmd)
    $n = 0
    foreach ($example in $help.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('title', $maml, "--------- Example ${n}: $($example.Title) ---------")
        $w.WriteElementString('code', $dev, $example.Code)
        $w.WriteStartElement('remarks', $dev); Write-Paras $example.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmd)
    foreach ($link in $help.Links) {
        $w.WriteStartElement('navigationLink', $maml); $w.WriteElementString('linkText', $maml, $link); $w.WriteElementString('uri', $maml, ''); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.Flush(); $w.Dispose()
Write-Host "Help written: $OutputFile"
