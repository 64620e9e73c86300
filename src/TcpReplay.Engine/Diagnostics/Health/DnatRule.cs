namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>A NAT rule that rewrites the destination of a port's traffic, as Docker publishes a container port.</summary>
/// <param name="Port">The destination port matched (host order).</param>
/// <param name="Destination">Where the rule sends it ("172.17.0.2:80"), as the rule writes it; empty when unstated.</param>
/// <param name="Rule">The rule's text, as iptables-save or nft prints it.</param>
public sealed record DnatRule(ushort Port, string Destination, string Rule);
