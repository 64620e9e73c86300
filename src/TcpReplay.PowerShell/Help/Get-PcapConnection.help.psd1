@{
    Synopsis    = 'Lists the TCP connections in pcap and pcapng capture files.'
    Description = @'
Get-PcapConnection reads capture files (pcap with micro- or nanosecond timestamps in either byte order, and pcapng with any number of interfaces) and emits one PcapConnection object per TCP connection: client and server endpoints, first and last timestamp, duration, packets and bytes in each direction (TCP payload bytes and frame bytes on the wire), whether the SYN and SYN-ACK were captured, and how the connection ended (Fin, HalfClosed, Reset, or None when the capture stopped while it was open).

The client is the side that sent the SYN. Without a SYN in the capture it is the side that received the SYN-ACK, and without either the side with the higher port.

Link types read: Ethernet (with VLAN tags), Linux cooked SLL and SLL2 (tcpdump -i any), raw IP, BSD loopback. IPv4 and IPv6 (extension headers skipped). Packets that are not TCP are ignored; malformed packets are counted, skipped and reported in a warning.

A truncated or damaged file is not fatal: the connections read before the damage are emitted, then a non-terminating error names the byte offset where the damage starts (ErrorId CaptureFileTruncated, CaptureFileCorrupt or NotACaptureFile).
'@
    Parameters  = @{
        Path        = 'Capture files to read. Wildcards are expanded. Accepts strings and file objects (Get-ChildItem) from the pipeline.'
        LiteralPath = 'Capture files to read, taken exactly as written (no wildcard expansion). Bound from the PSPath property of piped file objects.'
    }
    Inputs      = @{
        'System.String[]' = 'Paths of capture files.'
        'System.IO.FileInfo' = 'Capture files from Get-ChildItem, bound by their PSPath.'
    }
    Outputs     = @{
        'TcpReplay.Engine.Analysis.PcapConnection' = 'One object per TCP connection, in the order of its first packet in the file.'
    }
    Examples    = @(
        @{
            Title   = 'List the connections of a capture'
            Code    = 'Get-PcapConnection -Path ./capture.pcap'
            Remarks = 'Shows each connection with its endpoints, packet and byte totals, duration and how it closed.'
        }
        @{
            Title   = 'Count how connections ended in every capture of a folder'
            Code    = 'Get-ChildItem -Path . -Filter *.pcap | Get-PcapConnection | Group-Object -Property Close -NoElement'
            Remarks = 'File objects from Get-ChildItem bind by their path; the result counts Fin, Reset, HalfClosed and None.'
        }
        @{
            Title   = 'Find connections the capture saw without a handshake, and export all of them'
            Code    = @'
$connections = Get-PcapConnection -Path ./capture.pcap
$connections | Where-Object { -not $_.HandshakeSeen } | Select-Object Client, Server, FirstTimestamp
$connections | Export-Csv -Path ./connections.csv -NoTypeInformation
'@
            Remarks = 'Connections already open when the capture started have no handshake. Every property is a typed value that Export-Csv and ConvertTo-Json carry as is.'
        }
    )
    Notes       = 'Compare with tshark: Get-PcapConnection counts frames and frame bytes per direction the way "tshark -q -z conv,tcp" does.'
    Links       = @('Start-TcpCopy')
}
