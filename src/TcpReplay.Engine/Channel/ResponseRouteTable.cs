namespace TcpReplay.Engine.Channel;

/// <summary>
/// Maps a session key to the copier link of its last CLIENT_ADD. Not thread-safe: the server guards it with its
/// route lock. Bounded by two generations: when the current one holds half of the limit it becomes the previous one
/// and the old previous one is forgotten; a hit in the previous generation moves the route back into the current one,
/// so only routes unused for a whole generation are lost. Swapping and clearing keeps the capacity, so a full table
/// allocates nothing more.
/// </summary>
internal sealed class ResponseRouteTable<TLink>
    where TLink : class, IRouteTarget
{
    private readonly int _generationLimit;
    private Dictionary<ChannelKey, TLink> _current = new();
    private Dictionary<ChannelKey, TLink> _previous = new();

    public ResponseRouteTable(int maxRoutes)
    {
        _generationLimit = Math.Max(1, maxRoutes / 2);
    }

    /// <summary>Routes held (a key can be counted in both generations for a moment).</summary>
    public int Count => _current.Count + _previous.Count;

    public void Set(ChannelKey key, TLink link)
    {
        _previous.Remove(key);
        _current[key] = link;
        RotateIfFull();
    }

    /// <summary>The live link for <paramref name="key"/>, or null; a route to a closed link is forgotten on the way.</summary>
    public TLink? Find(ChannelKey key)
    {
        if (_current.TryGetValue(key, out var link))
        {
            if (!link.IsClosed)
            {
                return link;
            }

            _current.Remove(key);
            return null;
        }

        if (_previous.Remove(key, out link) && !link.IsClosed)
        {
            _current[key] = link;
            RotateIfFull();
            return link;
        }

        return null;
    }

    private void RotateIfFull()
    {
        if (_current.Count < _generationLimit)
        {
            return;
        }

        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }
}
