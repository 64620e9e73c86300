using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using System.Net;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>What Set-TargetRoute and Remove-TargetRoute share: reading a network, and one ErrorRecord per cause.</summary>
internal static class TargetRouteSupport
{
    public const string InvalidFakeClientNetwork = "InvalidFakeClientNetwork";
    public const string NotPermitted = "NotPermitted";
    public const string AssistantUnreachable = "AssistantUnreachable";
    public const string RouteCommandFailed = "RouteCommandFailed";
    public const string InterfaceNotFound = "InterfaceNotFound";

    /// <summary>A network in CIDR form with no host bits; otherwise the ErrorRecord that says what to write instead.</summary>
    public static bool TryParseNetwork(string text, out IPv4Network network, [NotNullWhen(false)] out ErrorRecord? error)
    {
        error = null;
        if (!IPv4Network.TryParse(text, out network))
        {
            error = ErrorRecords.Create(
                $"'{text}' is not an IPv4 network.",
                InvalidFakeClientNetwork,
                ErrorCategory.InvalidArgument,
                text,
                "Give the fake client network in CIDR form, such as 198.19.0.0/16 (a bare address means /32).");
            return false;
        }

        if (!network.IsCanonical)
        {
            // ip refuses it too ("Invalid prefix for given prefix length"); say which network was probably meant.
            error = ErrorRecords.Create(
                $"'{text}' has host bits set: it names an address in {network.Canonical}, not a network.",
                InvalidFakeClientNetwork,
                ErrorCategory.InvalidArgument,
                text,
                $"Write the network address: {network.Canonical}.");
            return false;
        }

        return true;
    }

    public static ErrorRecord NotPermittedError(IPv4Network network) => ErrorRecords.Create(
        "Changing routes needs root or CAP_NET_ADMIN, and this process has neither.",
        NotPermitted,
        ErrorCategory.PermissionDenied,
        network,
        "Run as root (sudo pwsh) or grant CAP_NET_ADMIN; -WhatIf shows the change without either.");

    public static ErrorRecord AssistantUnreachableError(GatewayNotOnLinkException exception, IPAddress assistant) => ErrorRecords.Create(
        exception,
        AssistantUnreachable,
        ErrorCategory.InvalidArgument,
        assistant,
        exception.Remedy);

    public static ErrorRecord RouteCommandFailedError(HostCommandException exception, IPv4Network network) => ErrorRecords.Create(
        exception,
        RouteCommandFailed,
        ErrorCategory.InvalidOperation,
        network,
        $"Read ip's message above, and compare with 'ip route show exact {network}'.");

    public static ErrorRecord InterfaceNotFoundError(string name) => ErrorRecords.Create(
        new NetworkInterfaceNotFoundException(name),
        InterfaceNotFound,
        ErrorCategory.ObjectNotFound,
        name,
        "List the interfaces with 'ip -br link', or leave out -Interface to use the one the assistant is reached by.");

    public static IPAddress? ParseAddress(string? text) => text is not null && IPAddress.TryParse(text, out var address) ? address : null;
}
