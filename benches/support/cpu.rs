//! Timing by process CPU time, for "rows per second on one core" figures
//! that do not depend on what else the machine is doing: criterion's
//! `iter_custom` gets the CPU time the whole process (every thread) spent
//! in the measured iterations, so rows / CPU-second is the one-core rate.

use cpu_time::ProcessTime;
use criterion::Bencher;
use std::time::Duration;

/// Times `iters` calls of `f` by the process CPU time they used.
pub fn cpu_iter<T>(b: &mut Bencher, mut f: impl FnMut() -> T) {
    b.iter_custom(|iters| {
        let start = ProcessTime::now();
        for _ in 0..iters {
            std::hint::black_box(f());
        }
        start.elapsed().max(Duration::from_nanos(1))
    });
}
