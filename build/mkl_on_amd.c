/*
 * libtorch's CPU build links Intel MKL statically and exports MKL's service functions. MKL asks
 * mkl_serv_intel_cpu_true() whether the processor is Intel's and, when it is not, runs its generic
 * sgemm kernels even where the CPU has AVX2 or AVX-512 (on an AMD EPYC here: mkl_blas_def_sgemm_kernel_0_zen).
 * Loaded RTLD_GLOBAL before libtorch, this library's definitions win symbol lookup, so MKL dispatches on the
 * CPU's feature flags as it does on Intel (mkl_blas_avx512_sgemm_kernel_0 on the same EPYC).
 * GenLab loads it only on AMD processors; see src/Runner/Hosting/MklOnAmd.cs and build/MklOnAmd.targets.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
