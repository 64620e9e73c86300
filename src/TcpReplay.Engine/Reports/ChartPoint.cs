namespace TcpReplay.Engine.Reports;

/// <summary>A point of a chart in data units (the axes say which).</summary>
public readonly record struct ChartPoint(double X, double Y);
