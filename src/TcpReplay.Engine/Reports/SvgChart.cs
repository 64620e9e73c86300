using System.Globalization;
using System.Net;
using System.Text;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Inline SVG charts for the HTML report: drawn here so the report needs no script and fetches nothing. Every text
/// that comes from data is HTML-escaped; numbers are written in the invariant culture.
/// </summary>
public static class SvgChart
{
    private const int Width = 760;
    private const int Height = 300;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 48;
    private const int Bottom = 64;
    private const int BarHeight = 22;
    private const int BarLabelWidth = 200;

    /// <summary>Colours of the series in order; chosen to stay apart for the common colour-vision deficiencies.</summary>
    private static readonly string[] Palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000"];

    /// <summary>A line chart of <paramref name="series"/>, each an SVG polyline of class <c>series</c>.</summary>
    public static string Line(string id, string title, string xLabel, string yLabel, IReadOnlyList<RateSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.SelectMany(s => s.Points).ToList();
        var xMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(p => p.X));
        var yMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(p => p.Y));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double ToX(double x) => Left + (x / xMax * plotWidth);
        double ToY(double y) => Top + plotHeight - (y / yMax * plotHeight);

        var svg = Open(id, title, Width, Height);
        Axes(svg, xMax, yMax, xLabel, yLabel, ToX, ToY);
        for (var i = 0; i < series.Count; i++)
        {
            var colour = Palette[i % Palette.Length];
            var coordinates = string.Join(' ', series[i].Points.Select(p => $"{F(ToX(p.X))},{F(ToY(p.Y))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-series=\"{E(series[i].Name)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{coordinates}\"/>");
            if (series[i].Points.Count == 1)
            {
                var p = series[i].Points[0];
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(ToX(p.X))}\" cy=\"{F(ToY(p.Y))}\" r=\"3\" fill=\"{colour}\"/>");
            }

            var legendX = Left + (i % 3 * 240);
            var legendY = Height - 22 + (i / 3 * 14);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{legendY - 9}\" width=\"12\" height=\"4\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"legend\" x=\"{legendX + 16}\" y=\"{legendY}\">{E(series[i].Name)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A horizontal bar chart, one SVG rect of class <c>bar</c> per item, the value written after it.</summary>
    public static string Bars(string id, string title, IReadOnlyList<KeyValuePair<string, double>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var height = Top + (Math.Max(1, items.Count) * (BarHeight + 6)) + 10;
        var max = items.Count == 0 ? 1 : Math.Max(1e-9, items.Max(i => i.Value));
        var barSpace = Width - BarLabelWidth - Right - 80;
        var svg = Open(id, title, Width, height);
        for (var i = 0; i < items.Count; i++)
        {
            var y = Top + (i * (BarHeight + 6));
            var length = Math.Max(1, items[i].Value / max * barSpace);
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{BarLabelWidth - 8}\" y=\"{y + 16}\" text-anchor=\"end\">{E(items[i].Key)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" data-label=\"{E(items[i].Key)}\" x=\"{BarLabelWidth}\" y=\"{y}\" width=\"{F(length)}\" height=\"{BarHeight}\" fill=\"{Palette[i % Palette.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{F(BarLabelWidth + length + 6)}\" y=\"{y + 16}\">{E(Number(items[i].Value))}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>The share of values at or below each value, in percent, as a step series (a cumulative distribution).</summary>
    public static RateSeries Distribution(string name, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        var points = new List<ChartPoint>(Math.Min(sorted.Length, 400) + 1);
        // Thinned to about 400 points: enough for the eye, and the page stays small for a million requests.
        var step = Math.Max(1, sorted.Length / 400);
        for (var i = 0; i < sorted.Length; i += step)
        {
            points.Add(new ChartPoint(sorted[i], 100.0 * (i + 1) / sorted.Length));
        }

        if (sorted.Length > 0 && points[^1].Y < 100)
        {
            points.Add(new ChartPoint(sorted[^1], 100));
        }

        return new RateSeries(name, points);
    }

    /// <summary>Round up to 1, 2 or 5 times a power of ten, so axis ticks land on round numbers.</summary>
    public static double NiceCeiling(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1.0, 2, 5, 10 })
        {
            if (value <= factor * magnitude * (1 + 1e-9))
            {
                return factor * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static StringBuilder Open(string id, string title, int width, int height)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{E(id)}\" role=\"img\" aria-label=\"{E(title)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Left}\" y=\"20\">{E(title)}</text>");
        return svg;
    }

    private static void Axes(StringBuilder svg, double xMax, double yMax, string xLabel, string yLabel, Func<double, double> toX, Func<double, double> toY)
    {
        const int Ticks = 5;
        for (var i = 0; i <= Ticks; i++)
        {
            var y = yMax * i / Ticks;
            var x = xMax * i / Ticks;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(toY(y))}\" y2=\"{F(toY(y))}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{F(toY(y) + 4)}\" text-anchor=\"end\">{E(Number(y))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{F(toX(x))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{E(Number(x))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" x=\"{Width - Right}\" y=\"{Height - Bottom + 32}\" text-anchor=\"end\">{E(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" x=\"{Left}\" y=\"{Top - 10}\" text-anchor=\"start\">{E(yLabel)}</text>");
    }

    internal static string Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("#,0.###", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
