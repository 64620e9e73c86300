#Requires -Version 7.4
# The session's counters come from the one counter table (CopyStatistics.Counters): every counter-like property of
# TcpCopySession is a table row under its own name or a documented alias, or one of the few figures derived from
# rows (sums of close reasons, averages of holds); a counter added to the session without a row fails here.

BeforeAll {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $script:Rows = @([TcpReplay.Engine.Connections.CopyStatistics]::Counters | ForEach-Object Property)
    # Session names kept from before the table for the rows they show.
    $script:Aliases = @{ ClientPackets = 'ClientPacketsSeen'; SentPackets = 'ClientPacketsSent'; Connections = 'ConnectionsOpened'; Responses = 'ResponsesReceived' }
    # Figures made from rows, not counted themselves.
    $script:Derived = @{
        Completed         = 'the normal close reasons summed'
        Failed            = 'the failure close reasons summed'
        CloseHeldAverage  = 'CloseHeldTime / ClosesHeld'
        AnswerHeldAverage = 'AnswerHeldTime / AnswerHolds'
    }
    # What the session shows that is no copy counter at all: the run's state, the channel, the job's clock.
    $script:NotCounters = @('OpenConnections', 'InterceptReconnects', 'Duration', 'ResponsePayload', 'ResponsePayloadGranted', 'EngineProcessId', 'Loop')
    $script:Session = [TcpReplay.PowerShell.Sessions.TcpCopySession]
}

Describe 'TcpCopySession counters and the counter table' {
    It 'shows no counter that is not a row of the table, an alias of one, or derived from rows' {
        $counterTypes = [long], [int], [TimeSpan], [Nullable[long]], [Nullable[int]]
        $unexplained = @($script:Session.GetProperties() |
            Where-Object { $_.DeclaringType -eq $script:Session -and $_.PropertyType -in $counterTypes } |
            Where-Object { $_.Name -notin $script:Rows -and -not $script:Aliases.ContainsKey($_.Name) -and -not $script:Derived.ContainsKey($_.Name) -and $_.Name -notin $script:NotCounters } |
            ForEach-Object Name)
        $unexplained | Should -BeNullOrEmpty -Because 'a counter the session shows must be a row of CopyStatistics.Counters (or be named here as an alias or a derived figure)'
    }

    It 'names only rows that exist in its aliases' {
        foreach ($row in $script:Aliases.Values) { $row | Should -BeIn $script:Rows }
    }

    It 'shows every row of the table through its Statistics property' {
        $statistics = [TcpReplay.Engine.Connections.CopyStatistics]
        foreach ($row in $script:Rows) { $statistics.GetProperty($row) | Should -Not -BeNullOrEmpty -Because "$row is a row of the table" }
        $script:Session.GetProperty('Statistics').PropertyType | Should -Be $statistics
    }
}
