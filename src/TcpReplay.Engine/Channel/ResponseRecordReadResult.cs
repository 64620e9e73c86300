namespace TcpReplay.Engine.Channel;

/// <summary>What <see cref="ResponseRecordReader.Read"/> found in the received bytes.</summary>
internal enum ResponseRecordReadResult
{
    /// <summary>No whole record or frame is buffered; receive more bytes.</summary>
    NeedMoreData,

    /// <summary>A response record, to be normalized and delivered.</summary>
    Record,

    /// <summary>The intercept's answer to the payload request (see <see cref="ResponseRecordReader.GrantedPayloadBytes"/>); not a response.</summary>
    PayloadGranted,

    /// <summary>
    /// A combined frame announces more records than the variant allows (see <see cref="ResponseRecordReader.AnnouncedRecords"/>);
    /// tcpcopy drops such a link, and nothing after it can be framed.
    /// </summary>
    ProtocolError,
}
