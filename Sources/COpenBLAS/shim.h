// OpenBLAS's CBLAS interface and its thread controls. Only LMTensor/BLAS.swift imports this.
#include <cblas.h>
