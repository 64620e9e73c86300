# TcpReplay: `make test` and `make demo` install what they need (apt, pwsh as a dotnet local tool, Pester).
SHELL := /bin/bash
CONFIG ?= Release
MODULE_DIR := out/TcpReplay
STREAMING_DIR := out/StreamingService
# The copier host compiled ahead of time (NativeAOT); only its executable goes into the module.
NATIVE_HOST_DIR := out/copier-host-native
PWSH := dotnet tool run pwsh -- -NoLogo -NoProfile -NonInteractive
# Telemetry off: lab processes talk to 198.18.0.0/15 only, and PowerShell's telemetry client costs a copier CPU.
export POWERSHELL_TELEMETRY_OPTOUT := 1
export DOTNET_CLI_TELEMETRY_OPTOUT := 1

.PHONY: all deps build module package streaming-service lint unit pester test demo bench bench-load bench-streaming clean

all: module

deps:
	./build/install-deps.sh

build: deps
	dotnet build TcpReplay.sln -c $(CONFIG) --no-restore -v q -nologo

# The module folder: the cmdlet assembly, the engine and its dependencies, the copier process of a live copy, the
# manifest, views and MAML help.
module: build streaming-service
	rm -rf $(MODULE_DIR)
	dotnet publish src/TcpReplay.PowerShell/TcpReplay.PowerShell.csproj -c $(CONFIG) --no-build -o $(MODULE_DIR) -v q -nologo
	dotnet publish src/TcpReplay.CopierHost/TcpReplay.CopierHost.csproj -c $(CONFIG) --no-build -o $(MODULE_DIR) -v q -nologo
	dotnet publish src/TcpReplay.CopierHost/TcpReplay.CopierHost.csproj -c $(CONFIG) -r linux-x64 -o $(NATIVE_HOST_DIR) -v q -nologo
	cp $(NATIVE_HOST_DIR)/TcpReplay.CopierHost $(MODULE_DIR)/
	$(PWSH) -File build/New-ModuleHelp.ps1 -ModulePath $(MODULE_DIR)/TcpReplay.psd1 \
		-HelpSource src/TcpReplay.PowerShell/Help -OutputFile $(MODULE_DIR)/en-US/TcpReplay.PowerShell.dll-Help.xml

# The module as a package: out/package/TcpReplay.<version>.nupkg, for Install-PSResource from a folder repository.
package: module
	$(PWSH) -File build/New-ModulePackage.ps1 -ModulePath $(MODULE_DIR) -OutputFolder out/package

# The streaming test service of the lab tests (examples/StreamingService): dotnet out/StreamingService/StreamingService.dll
streaming-service: build
	rm -rf $(STREAMING_DIR)
	dotnet publish examples/StreamingService/StreamingService.csproj -c $(CONFIG) --no-build -o $(STREAMING_DIR) -v q -nologo

lint: deps
	dotnet format TcpReplay.sln --verify-no-changes --no-restore

unit: build
	dotnet test tests/Unit/TcpReplay.Engine.Tests.csproj -c $(CONFIG) --no-build

pester: package
	$(PWSH) -File tests/run-pester.ps1 -ResultFile out/pester.json

# Every check, closing with one line "N passed, N failed".
test: package
	./build/run-tests.sh

demo: module
	$(PWSH) -File examples/demo.ps1

# Micro benchmarks (BenchmarkDotNet); e.g. make bench BENCH_ARGS='--job short' for a quicker, rougher run.
BENCH_ARGS ?=
bench: deps
	dotnet run -c Release --project bench/TcpReplay.Bench.csproj -- --filter '*' --memory $(BENCH_ARGS)

# The live-copy macro benchmark in a four-host namespace lab (root; ~8 minutes; not part of make test);
# e.g. make bench-load BENCH_LOAD_ARGS="-Runs Timeline,PcapTimeline -DurationSeconds 10" (-Command, so lists work);
# beside C tcpcopy 1.3: BENCH_LOAD_ARGS="-Runs NoCopier,Causal,CausalCIntercept,Tcpcopy -DurationSeconds 20" [-Offloads Off].
BENCH_LOAD_ARGS ?=
bench-load: module
	$(PWSH) -Command "& ./bench/lab/Measure-LiveCopyLoad.ps1 $(BENCH_LOAD_ARGS)"

# e.g. make bench-streaming BENCH_STREAMING_ARGS="-Repeat 3" or "-Copiers Causal,Tcpcopy".
BENCH_STREAMING_ARGS ?=
bench-streaming: module
	$(PWSH) -Command "& ./bench/lab/Measure-StreamingCopy.ps1 $(BENCH_STREAMING_ARGS)"

clean:
	rm -rf out
	dotnet clean TcpReplay.sln -v q -nologo
