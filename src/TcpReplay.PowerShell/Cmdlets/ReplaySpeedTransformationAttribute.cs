using System.Globalization;
using System.Management.Automation;
using TcpReplay.Engine.Offline;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Lets -Speed take a number (2, 0.5, 10) or the word Max, as tcpreplay's --multiplier and --topspeed do.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ReplaySpeedTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case ReplaySpeed speed:
                return speed;
            case string text when ReplaySpeed.TryParse(text, out var parsed):
                return parsed;
            case int or long or double or float or decimal:
                var factor = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (ReplaySpeed.TryParse(factor.ToString("R", CultureInfo.InvariantCulture), out var numeric))
                {
                    return numeric;
                }

                break;
        }

        throw new ArgumentTransformationMetadataException($"'{value}' is not a speed: give a factor from 0.001 to 1000000 (0.5, 2, 10) or Max.");
    }
}
