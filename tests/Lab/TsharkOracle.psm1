#Requires -Version 7.4
<#
    TsharkOracle: tshark's view of the TCP connections in a capture file, used by tests as the
    reference for TcpReplay's own pcap reading (Get-PcapConnection).

    Two readings, because tshark 4.0's conversation table rounds:
      Get-TsharkTcpConversation  parses `tshark -q -z conv,tcp`. Frame counts are exact; byte counts
                                 of 10 kB and more are printed truncated to whole kB/MB ("269 kB" is
                                 269000..269999 bytes), so each is given as an inclusive Min..Max range.
      Get-TsharkTcpStream        sums `tshark -T fields` per tcp.stream: exact frame bytes (frame.len,
                                 the length on the wire), payload bytes (tcp.len), first and last
                                 timestamps, and which handshake and close flags each side sent.
#>

Set-StrictMode -Version 3.0

# tshark prints sizes with SI prefixes and truncates (269626 bytes -> "269 kB"), checked on 4.0.17.
$script:SizeUnits = @{ 'bytes' = 1L; 'kB' = 1000L; 'MB' = 1000000L; 'GB' = 1000000000L; 'TB' = 1000000000000L }

$script:ConversationLine = [regex]::new(
    '^(?<a>\S+):(?<pa>\d+)\s+<->\s+(?<b>\S+):(?<pb>\d+)\s+' +
    '(?<f1>[\d,]+)\s+(?<b1>[\d,]+)(?:\s+(?<u1>bytes|kB|MB|GB|TB))?\s+' +
    '(?<f2>[\d,]+)\s+(?<b2>[\d,]+)(?:\s+(?<u2>bytes|kB|MB|GB|TB))?\s+' +
    '(?<ft>[\d,]+)\s+(?<bt>[\d,]+)(?:\s+(?<ut>bytes|kB|MB|GB|TB))?\s+' +
    '(?<start>[\d.]+)\s+(?<dur>[\d.]+)\s*$')

function ConvertFrom-TsharkSize {
    # "2350" + "bytes" -> 2350..2350; "269" + "kB" -> 269000..269999. No unit (tshark 3.x) means bytes.
    param([string] $Number, [string] $Unit)
    $n = [long]($Number -replace ',', '')
    $scale = if ($Unit) { $script:SizeUnits[$Unit] } else { 1L }
    [long[]]@(($n * $scale), ($n * $scale + $scale - 1))
}

function ConvertFrom-TsharkConversationTable {
    <#
    .SYNOPSIS
        Parses the text of `tshark -q -z conv,tcp` into one object per conversation.
    .DESCRIPTION
        Column meaning (checked against a capture of known traffic): "<-" counts the frames Address B
        sent to Address A, "->" the frames A sent to B. Bytes are frame bytes (as on the wire, frame.len),
        not TCP payload. Which endpoint tshark calls A is not defined; match by endpoint pair.
        Lines that are not conversation rows (banners, headers) are skipped; a line that looks like a
        row but does not parse is a non-terminating error, so a format change cannot pass unnoticed.
    .PARAMETER Text
        The table text (lines or one string).
    .OUTPUTS
        TcpReplay.TsharkConversation: AddressA, PortA, AddressB, PortB, FramesAToB, BytesAToBMin,
        BytesAToBMax, FramesBToA, BytesBToAMin, BytesBToAMax, Frames, BytesMin, BytesMax,
        RelativeStartSeconds, DurationSeconds. Byte ranges are inclusive; Min equals Max when exact.
    .EXAMPLE
        tshark -r x.pcap -q -z conv,tcp | ConvertFrom-TsharkConversationTable
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, ValueFromPipeline)] [AllowEmptyString()] [string[]] $Text)
    process {
        foreach ($chunk in $Text) {
            foreach ($line in $chunk -split "\r?\n") {
                if ($line -notmatch '<->') { continue }
                $m = $script:ConversationLine.Match($line)
                if (-not $m.Success) {
                    Write-Error -Message "Unrecognised tshark conversation row: $line" -ErrorId 'TsharkConversationRow' -Category InvalidData -TargetObject $line
                    continue
                }
                $g = $m.Groups
                $bToA = ConvertFrom-TsharkSize $g['b1'].Value $g['u1'].Value
                $aToB = ConvertFrom-TsharkSize $g['b2'].Value $g['u2'].Value
                $total = ConvertFrom-TsharkSize $g['bt'].Value $g['ut'].Value
                [pscustomobject]@{
                    PSTypeName           = 'TcpReplay.TsharkConversation'
                    AddressA             = [System.Net.IPAddress]::Parse($g['a'].Value.Trim('[', ']'))
                    PortA                = [int]$g['pa'].Value
                    AddressB             = [System.Net.IPAddress]::Parse($g['b'].Value.Trim('[', ']'))
                    PortB                = [int]$g['pb'].Value
                    FramesAToB           = [long]($g['f2'].Value -replace ',', '')
                    BytesAToBMin         = $aToB[0]
                    BytesAToBMax         = $aToB[1]
                    FramesBToA           = [long]($g['f1'].Value -replace ',', '')
                    BytesBToAMin         = $bToA[0]
                    BytesBToAMax         = $bToA[1]
                    Frames               = [long]($g['ft'].Value -replace ',', '')
                    BytesMin             = $total[0]
                    BytesMax             = $total[1]
                    RelativeStartSeconds = [double]::Parse($g['start'].Value, [cultureinfo]::InvariantCulture)
                    DurationSeconds      = [double]::Parse($g['dur'].Value, [cultureinfo]::InvariantCulture)
                }
            }
        }
    }
}

function Invoke-Tshark {
    param([Parameter(Mandatory)] [string[]] $ArgumentList, [double] $TimeoutSeconds = 120)
    $psi = [System.Diagnostics.ProcessStartInfo]::new('tshark')
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit([int]($TimeoutSeconds * 1000))) {
            $p.Kill($true)
            throw "tshark $($ArgumentList -join ' ') did not finish within $TimeoutSeconds s."
        }
        $null = [System.Threading.Tasks.Task]::WaitAll(@($out, $err), 10000)
        if ($p.ExitCode -ne 0) {
            throw "tshark $($ArgumentList -join ' ') exited with code $($p.ExitCode): $($err.Result.Trim())"
        }
        $out.Result
    }
    finally { $p.Dispose() }
}

function Get-TsharkTcpConversation {
    <#
    .SYNOPSIS
        Runs `tshark -r <Path> -q -z conv,tcp` and parses its table.
    .DESCRIPTION
        See ConvertFrom-TsharkConversationTable for the meaning of the columns and of the byte ranges.
    .PARAMETER Path
        A pcap or pcapng file.
    .EXAMPLE
        Get-TsharkTcpConversation ./x.pcap | Sort-Object Frames -Descending | Select-Object -First 5
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, Position = 0)] [string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { throw "Capture file $Path does not exist." }
    Invoke-Tshark -ArgumentList '-n', '-r', $Path, '-q', '-z', 'conv,tcp' | ConvertFrom-TsharkConversationTable
}

function Get-TsharkTcpStream {
    <#
    .SYNOPSIS
        Exact per-connection figures from tshark's per-frame fields, one object per tcp.stream.
    .DESCRIPTION
        Reads tcp.stream, the IPv4 endpoints, frame.len, tcp.len, frame.time_epoch and tcp.flags of
        every TCP frame and sums them per stream. The client is the side that sent a SYN without ACK;
        when no such SYN was captured, the side with the higher port (the ephemeral one).
        Frame bytes are frame.len: the length on the wire, which is what conv,tcp counts.
        Timestamps are UTC DateTimes (the capture's microseconds are kept exactly).
    .PARAMETER Path
        A pcap or pcapng file.
    .OUTPUTS
        TcpReplay.TsharkStream: Stream, ClientAddress, ClientPort, ServerAddress, ServerPort,
        ClientPackets, ServerPackets, ClientFrameBytes, ServerFrameBytes, ClientBytes, ServerBytes,
        FirstTimestamp, LastTimestamp, SynSeen, SynAckSeen, ClientFin, ServerFin, ClientReset, ServerReset.
    .EXAMPLE
        Get-TsharkTcpStream ./x.pcap | Where-Object ClientReset
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, Position = 0)] [string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { throw "Capture file $Path does not exist." }
    $text = Invoke-Tshark -ArgumentList '-n', '-r', $Path, '-Y', 'tcp && ip', '-T', 'fields', '-E', 'separator=/t',
    '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport',
    '-e', 'frame.len', '-e', 'tcp.len', '-e', 'frame.time_epoch', '-e', 'tcp.flags'

    $streams = [System.Collections.Generic.SortedDictionary[int, object]]::new()
    foreach ($line in $text -split "`n") {
        if (-not $line) { continue }
        $f = $line.Split("`t")
        if ($f.Count -ne 9) { throw "Unexpected tshark fields line: $line" }
        $id = [int]$f[0]
        $s = $null
        if (-not $streams.TryGetValue($id, [ref]$s)) {
            $s = [pscustomobject]@{
                Stream = $id; A = "$($f[1]):$($f[2])"; AAddress = $f[1]; APort = [int]$f[2]; BAddress = $f[3]; BPort = [int]$f[4]
                Client = $null
                APackets = 0L; BPackets = 0L; AFrameBytes = 0L; BFrameBytes = 0L; ABytes = 0L; BBytes = 0L
                First = $null; Last = $null; Syn = $false; SynAck = $false; AFin = $false; BFin = $false; ARst = $false; BRst = $false
            }
            $streams.Add($id, $s)
        }
        $fromA = "$($f[1]):$($f[2])" -eq $s.A
        $flags = [Convert]::ToInt32($f[8], 16)
        $syn = ($flags -band 0x02) -ne 0
        $ack = ($flags -band 0x10) -ne 0
        $fin = ($flags -band 0x01) -ne 0
        $rst = ($flags -band 0x04) -ne 0
        # frame.time_epoch has nanosecond digits; a tick is 100 ns.
        $epoch = [decimal]::Parse($f[7], [cultureinfo]::InvariantCulture)
        $time = [datetime]::UnixEpoch.AddTicks([long][decimal]::Truncate($epoch * 10000000))
        if ($null -eq $s.First -or $time -lt $s.First) { $s.First = $time }
        if ($null -eq $s.Last -or $time -gt $s.Last) { $s.Last = $time }
        if ($syn -and -not $ack) { $s.Syn = $true; if ($null -eq $s.Client) { $s.Client = if ($fromA) { 'A' } else { 'B' } } }
        if ($syn -and $ack) { $s.SynAck = $true }
        if ($fromA) {
            $s.APackets++; $s.AFrameBytes += [long]$f[5]; $s.ABytes += [long]$f[6]
            if ($fin) { $s.AFin = $true }; if ($rst) { $s.ARst = $true }
        }
        else {
            $s.BPackets++; $s.BFrameBytes += [long]$f[5]; $s.BBytes += [long]$f[6]
            if ($fin) { $s.BFin = $true }; if ($rst) { $s.BRst = $true }
        }
    }

    foreach ($s in $streams.Values) {
        $clientIsA = if ($s.Client) { $s.Client -eq 'A' } else { $s.APort -gt $s.BPort }
        $c = if ($clientIsA) { 'A' } else { 'B' }
        $v = if ($clientIsA) { 'B' } else { 'A' }
        [pscustomobject]@{
            PSTypeName       = 'TcpReplay.TsharkStream'
            Stream           = $s.Stream
            ClientAddress    = [System.Net.IPAddress]::Parse($s."${c}Address")
            ClientPort       = $s."${c}Port"
            ServerAddress    = [System.Net.IPAddress]::Parse($s."${v}Address")
            ServerPort       = $s."${v}Port"
            ClientPackets    = $s."${c}Packets"
            ServerPackets    = $s."${v}Packets"
            ClientFrameBytes = $s."${c}FrameBytes"
            ServerFrameBytes = $s."${v}FrameBytes"
            ClientBytes      = $s."${c}Bytes"
            ServerBytes      = $s."${v}Bytes"
            FirstTimestamp   = [datetime]::SpecifyKind($s.First, [System.DateTimeKind]::Utc)
            LastTimestamp    = [datetime]::SpecifyKind($s.Last, [System.DateTimeKind]::Utc)
            SynSeen          = $s.Syn
            SynAckSeen       = $s.SynAck
            ClientFin        = $s."${c}Fin"
            ServerFin        = $s."${v}Fin"
            ClientReset      = $s."${c}Rst"
            ServerReset      = $s."${v}Rst"
        }
    }
}

Export-ModuleMember -Function ConvertFrom-TsharkConversationTable, Get-TsharkTcpConversation, Get-TsharkTcpStream
