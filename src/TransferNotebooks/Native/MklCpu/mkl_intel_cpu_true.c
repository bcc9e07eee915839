/*
 * oneMKL, linked statically into libtorch_cpu.so, asks mkl_serv_intel_cpu_true() whether the CPU is an Intel one
 * before it picks a code path; on any other vendor it takes its generic kernels whatever instruction set the CPU has.
 * libtorch_cpu.so calls that function through its PLT, so this definition, loaded RTLD_GLOBAL before libtorch, answers
 * "yes", and MKL then chooses its kernels from the CPU's instruction set (AVX2, AVX-512) as it does on Intel CPUs.
 * Loaded only on x86-64 CPUs that are not Intel's; see MklCpuDispatch.cs. Build: ./build.sh
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
