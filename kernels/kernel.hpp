// SPDX-License-Identifier: MIT
/// @file
/// parkit's public kernel API, installed as <parkit/kernel.hpp>: everything a kernel file needs.
/// A kernel is one file: a struct with its facts (KernelInfo), its data, a first-touch init, and
/// either a reduction (partial + exact reference) or a map (body + expected value per element),
/// registered with one line:
///
///   [[maybe_unused]] const bool registered = parkit::kernels::register_kernel<MyKernel>();
///
/// It then runs under every execution model of the installed build (seq, threads, openmp, mpi,
/// hybrid) through the one timing protocol, verified every rep, into the same HDF5 file as the
/// built-in kernels. docs/write-your-own-kernel.md is the guide; the built-in kernels
/// (kernels/*.cpp in the source) include this header and nothing private.
#pragma once

#include "parkit/exec/range.hpp"        // Index, Range
#include "parkit/exec/u128.hpp"         // u128, to_string(u128), checked_mul
#include "parkit/kernels/buffer.hpp"    // Buffer: an aligned, untouched array of doubles
#include "parkit/kernels/concepts.hpp"  // KernelInfo, Kernel, ReduceKernel, MapKernel
#include "parkit/kernels/register.hpp"  // register_kernel<K>()
