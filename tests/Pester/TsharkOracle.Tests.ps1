#Requires -Version 7.4
# Tests of the tshark conv,tcp parser used as the reference for Get-PcapConnection. The table below
# is verbatim tshark 4.0.17 output (Debian 12) for a lab capture; the first row's client sent 23
# frames (2350 bytes) and received 25 frames (269626 bytes, which tshark prints as "269 kB").

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TsharkOracle.psm1" -Force

    $script:Table = @'
================================================================================
TCP Conversations
Filter:<No Filter>
                                                           |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |
                                                           | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |
198.18.0.10:51362          <-> 198.18.0.20:8080                25 269 kB         23 2350 bytes      48 271 kB        0.073804000         0.0415
198.18.0.10:40142          <-> 198.18.0.20:8080                 6 4905 bytes       8 709 bytes      14 5614 bytes     0.000000000         0.0017
================================================================================
'@
}

Describe 'ConvertFrom-TsharkConversationTable' {
    It 'writes one object per conversation row and skips banners and headers' {
        $rows = @(ConvertFrom-TsharkConversationTable -Text $Table)
        $rows.Count | Should -Be 2
        $rows[1].AddressA | Should -Be ([System.Net.IPAddress]::Parse('198.18.0.10'))
        $rows[1].PortA | Should -Be 40142
        $rows[1].AddressB | Should -Be ([System.Net.IPAddress]::Parse('198.18.0.20'))
        $rows[1].PortB | Should -Be 8080
    }

    It 'reads the "->" columns as frames A sent to B and "<-" as frames B sent to A' {
        $row = @(ConvertFrom-TsharkConversationTable -Text $Table)[1]
        $row.FramesAToB | Should -Be 8
        $row.BytesAToBMin | Should -Be 709
        $row.FramesBToA | Should -Be 6
        $row.BytesBToAMin | Should -Be 4905
        $row.Frames | Should -Be 14
    }

    It 'gives a byte count printed in bytes as an exact range' {
        $row = @(ConvertFrom-TsharkConversationTable -Text $Table)[1]
        $row.BytesAToBMax | Should -Be $row.BytesAToBMin
        $row.BytesMin | Should -Be 5614
        $row.BytesMax | Should -Be 5614
    }

    It 'gives a byte count printed in kB as the range tshark truncated it from' {
        $row = @(ConvertFrom-TsharkConversationTable -Text $Table)[0]
        $row.BytesBToAMin | Should -Be 269000
        $row.BytesBToAMax | Should -Be 269999
        $row.BytesMin | Should -Be 271000
        $row.BytesMax | Should -Be 271999
    }

    It 'reads the relative start and duration in seconds' {
        $row = @(ConvertFrom-TsharkConversationTable -Text $Table)[0]
        $row.RelativeStartSeconds | Should -Be 0.073804
        $row.DurationSeconds | Should -Be 0.0415
    }

    It 'accepts the table line by line from the pipeline' {
        @($Table -split "`n" | ConvertFrom-TsharkConversationTable).Count | Should -Be 2
    }

    It 'reports a row it cannot read instead of dropping it' {
        $bad = '198.18.0.10:1 <-> 198.18.0.20:8080   6 lots   8 709 bytes   14 5614 bytes   0.0   0.1'
        { ConvertFrom-TsharkConversationTable -Text $bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'TsharkConversationRow,ConvertFrom-TsharkConversationTable'
    }
}
