using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter, e.g. `--filter *Kernel* --job short`.
BenchmarkSwitcher.FromAssembly(typeof(Analytics.Benchmarks.Kernels.KernelBenchmarks).Assembly).Run(args);
