<#
.SYNOPSIS
    For ReportObjects.Lab.Tests.ps1: writes a stopped copy's session and connection records in every form a user
    would move them in (Export-Csv, ConvertTo-Json -Depth 4, the remoting serializer, a Start-Job round trip, the
    default views at 80 columns, Export-ReplayReport), beside the figures read from the live objects (Export-Clixml,
    which keeps their types) for the test to compare against.
#>
param(
    [Parameter(Mandatory)] $Session,
    [Parameter(Mandatory)] [string] $Path
)
$null = New-Item -ItemType Directory -Force -Path $Path
$connections = @($Session | Get-TcpCopyConnection)

# The figures as the live objects hold them: every scalar property, IPAddress as its text.
function Get-Figures($object) {
    $figures = [ordered]@{}
    foreach ($property in $object.psobject.Properties) {
        # Assigned inside the try: as its output, a one-element array would be unrolled into its element.
        try { $value = $property.Value } catch { continue }
        if ($value -is [System.Net.IPAddress]) { $value = "$value" }
        # An enum travels as its name (CSV, views) or its number (ConvertTo-Json, the serializer's base value): either is whole.
        if ($value -is [enum]) { $value = [pscustomobject]@{ EnumName = "$value"; EnumValue = [long]$value } }
        if ($null -eq $value -or $value.EnumName -or $value -is [string] -or $value -is [bool] -or $value -is [timespan] -or $value -is [datetime] -or $value -is [ValueType]) {
            $figures[$property.Name] = $value
        }
    }
    $figures
}
[pscustomobject]@{ Session = Get-Figures $Session; Connections = @($connections | ForEach-Object { Get-Figures $_ }) } |
    Export-Clixml (Join-Path $Path 'truth.clixml')

$Session | Export-Csv (Join-Path $Path 'session.csv')
$connections | Export-Csv (Join-Path $Path 'connections.csv')
$Session | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue | Set-Content (Join-Path $Path 'session.json')
$connections | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue | Set-Content (Join-Path $Path 'connections.json')
# Remoting serializes at depth 1, as PSSerializer.Serialize does by default.
[System.Management.Automation.PSSerializer]::Serialize($Session) | Set-Content (Join-Path $Path 'session.psxml')
[System.Management.Automation.PSSerializer]::Serialize($connections) | Set-Content (Join-Path $Path 'connections.psxml')
# A real process boundary: the objects go to a job process as arguments and come back as its output.
$job = Start-Job -ScriptBlock { param($s, $c) $s; $c } -ArgumentList $Session, $connections[0]
$viaJob = @($job | Receive-Job -Wait -AutoRemoveJob)
[System.Management.Automation.PSSerializer]::Serialize($viaJob, 2) | Set-Content (Join-Path $Path 'via-job.psxml')

$Session | Out-String -Width 80 | Set-Content (Join-Path $Path 'session-table.txt')
$Session | Format-List | Out-String -Width 80 | Set-Content (Join-Path $Path 'session-list.txt')
$connections | Out-String -Width 80 | Set-Content (Join-Path $Path 'connections-table.txt')
$connections | Select-Object -First 3 | Format-List | Out-String -Width 80 | Set-Content (Join-Path $Path 'connections-list.txt')

foreach ($extension in 'html', 'md', 'json', 'csv') {
    $null = $Session | Export-ReplayReport -Path (Join-Path $Path "report.$extension") -Title 'Live copy in the lab'
}
