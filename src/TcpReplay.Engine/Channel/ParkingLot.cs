namespace TcpReplay.Engine.Channel;

/// <summary>
/// Response records that arrived before their CLIENT_ADD (only SYN and RST are kept, as in tc_router.c
/// <c>router_update</c>), held until the ADD comes or their time is up (tc_delay.c). Not thread-safe: the server
/// guards it with its route lock.
/// </summary>
/// <remarks>
/// Records live in one byte array of fixed-size slots; entries form an age list (oldest first, for expiry and for
/// eviction when full) and per-key chains in arrival order. Storage grows by doubling up to the bound and is then
/// reused, so a steady state allocates nothing. C keeps one 30 s timer per key; here each record has its own deadline.
/// </remarks>
internal sealed class ParkingLot
{
    private const int InitialCapacity = 64;
    private const int None = -1;

    private readonly int _recordSize;
    private readonly int _maxRecords;
    private readonly Dictionary<ChannelKey, Chain> _chains = new();
    private Entry[] _entries = [];
    private byte[] _data = [];
    private int _free = None;
    private int _oldest = None;
    private int _newest = None;
    private int _used;

    public ParkingLot(int recordSize, int maxRecords)
    {
        _recordSize = recordSize;
        _maxRecords = maxRecords;
    }

    /// <summary>Records parked now.</summary>
    public int Count { get; private set; }

    /// <summary>Parks a copy of <paramref name="record"/>; returns false when parking is disabled. Evicts the oldest record when full and says so.</summary>
    public bool Park(ChannelKey key, ReadOnlySpan<byte> record, long expiresAtMs, out bool evictedOldest)
    {
        evictedOldest = false;
        if (_maxRecords == 0)
        {
            return false;
        }

        if (_free == None && _used == _entries.Length)
        {
            if (_entries.Length < _maxRecords)
            {
                Grow();
            }
            else
            {
                RemoveOldest();
                evictedOldest = true;
            }
        }

        int slot;
        if (_free != None)
        {
            slot = _free;
            _free = _entries[slot].NextAge;
        }
        else
        {
            slot = _used++;
        }

        record[.._recordSize].CopyTo(_data.AsSpan(slot * _recordSize, _recordSize));
        _entries[slot] = new Entry { Key = key, ExpiresAtMs = expiresAtMs, PrevAge = _newest, NextAge = None, NextInChain = None };
        if (_newest != None)
        {
            _entries[_newest].NextAge = slot;
        }
        else
        {
            _oldest = slot;
        }

        _newest = slot;

        if (_chains.TryGetValue(key, out var chain))
        {
            _entries[chain.Tail].NextInChain = slot;
            _chains[key] = new Chain(chain.Head, slot);
        }
        else
        {
            _chains[key] = new Chain(slot, slot);
        }

        Count++;
        return true;
    }

    /// <summary>Moves the oldest record parked under <paramref name="key"/> into <paramref name="destination"/>; false when none is left.</summary>
    public bool TryTake(ChannelKey key, Span<byte> destination)
    {
        if (!_chains.TryGetValue(key, out var chain))
        {
            return false;
        }

        _data.AsSpan(chain.Head * _recordSize, _recordSize).CopyTo(destination);
        RemoveChainHead(key, chain);
        return true;
    }

    /// <summary>Drops every record whose deadline is at or before <paramref name="nowMs"/>; returns how many.</summary>
    public int Expire(long nowMs)
    {
        var expired = 0;
        while (_oldest != None && _entries[_oldest].ExpiresAtMs <= nowMs)
        {
            RemoveOldest();
            expired++;
        }

        return expired;
    }

    private void RemoveOldest()
    {
        // The oldest record overall is also the oldest, so the head, of its key's chain.
        var key = _entries[_oldest].Key;
        RemoveChainHead(key, _chains[key]);
    }

    private void RemoveChainHead(ChannelKey key, Chain chain)
    {
        var slot = chain.Head;
        var next = _entries[slot].NextInChain;
        if (next == None)
        {
            _chains.Remove(key);
        }
        else
        {
            _chains[key] = new Chain(next, chain.Tail);
        }

        ref var entry = ref _entries[slot];
        if (entry.PrevAge != None)
        {
            _entries[entry.PrevAge].NextAge = entry.NextAge;
        }
        else
        {
            _oldest = entry.NextAge;
        }

        if (entry.NextAge != None)
        {
            _entries[entry.NextAge].PrevAge = entry.PrevAge;
        }
        else
        {
            _newest = entry.PrevAge;
        }

        entry.NextAge = _free;
        _free = slot;
        Count--;
    }

    private void Grow()
    {
        var capacity = Math.Min(_maxRecords, Math.Max(InitialCapacity, _entries.Length * 2));
        Array.Resize(ref _entries, capacity);
        Array.Resize(ref _data, capacity * _recordSize);
    }

    private struct Entry
    {
        public ChannelKey Key;
        public long ExpiresAtMs;
        public int PrevAge;
        public int NextAge;
        public int NextInChain;
    }

    private readonly record struct Chain(int Head, int Tail);
}
