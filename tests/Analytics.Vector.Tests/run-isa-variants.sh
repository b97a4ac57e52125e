#!/usr/bin/env bash
# Runs the kernel property tests (Category=Kernels) of Vector and Index four times: with every ISA the machine has, without AVX-512
# (Vector256 paths), with 128-bit vectors preferred (Vector128 paths), and without hardware intrinsics (scalar fallbacks), so each rung of the SIMD ladder
# is compared with the scalar reference. Usage, from anywhere:
#   tests/Analytics.Vector.Tests/run-isa-variants.sh [extra dotnet test arguments, e.g. -c Release]
# Exits non-zero as soon as one variant fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
projects=("$here/Analytics.Vector.Tests.csproj" "$here/../Analytics.Index.Tests/Analytics.Index.Tests.csproj")

for project in "${projects[@]}"; do
    dotnet build "$project" -v q -nologo "$@"
done
for variant in "" "DOTNET_EnableAVX512=0" "DOTNET_PreferredVectorBitWidth=128" "DOTNET_EnableHWIntrinsic=0"; do
    for project in "${projects[@]}"; do
        echo "== $(basename "$project" .csproj) kernels with ${variant:-all ISAs} =="
        if [[ -z "$variant" ]]; then
            dotnet test "$project" --no-build --filter Category=Kernels -nologo "$@"
        else
            env "$variant" dotnet test "$project" --no-build --filter Category=Kernels -nologo "$@"
        fi
    done
done
