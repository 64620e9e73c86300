#!/usr/bin/env bash
# Installs what the build, the tests and the demo need on a fresh Debian 12 machine that has only the .NET SDK.
# apt runs only when a package is missing, so a second run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the HTML report test renders the report headless (ReplayReport.Tests.ps1); iputils-ping: the lab test's
# reachability check (Lab.Tests.ps1), which a fresh machine may lack; python3-prometheus-client
# parses the metrics endpoint's text in Metrics.Lab.Tests.ps1; openssh-server and -client: the remoting deployment test
# (Deployment.Lab.Tests.ps1) runs sshd in three lab hosts.
packages=(libpcap0.8 clang tcpdump tshark nginx-light wrk tcpreplay iptables iproute2 ethtool procps python3 curl iputils-arping iputils-ping chromium python3-prometheus-client openssh-server openssh-client)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "install-deps: apt-get install ${missing[*]}"
    $sudo apt-get update -q
    # tshark asks whether non-root users may capture; noninteractive takes the default answer.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# pwsh comes as a dotnet local tool (dotnet-tools.json); Pester comes with the unit test project's restore.
dotnet tool restore >/dev/null
dotnet restore TcpReplay.sln -v q >/dev/null
