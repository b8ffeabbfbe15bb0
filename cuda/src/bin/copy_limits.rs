//! The physical limits a GPU codec is measured against: device-to-device copy rate and
//! host-to-device copy rate from pinned and from pageable memory, timed with CUDA events.
//! Median of 5 copies of 1 GiB. Prints why it is skipped where no GPU is usable.

use cudarc::driver::sys::CUevent_flags;

const BYTES: usize = 1 << 30;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (ctx, info) = match kaizen_cuda::probe() {
        Ok(x) => x,
        Err(why) => {
            println!("skipped: {why}");
            return Ok(());
        }
    };
    println!(
        "device {} ({}, {} visible)",
        info.ordinal, info.name, info.count
    );
    let stream = ctx.default_stream();
    let src = stream.alloc_zeros::<u8>(BYTES)?;
    let mut dst = stream.alloc_zeros::<u8>(BYTES)?;
    // SAFETY: the pinned buffer is fully written below before it is read.
    let mut pinned = unsafe { ctx.alloc_pinned_with_flags::<u8>(BYTES, 0)? };
    pinned.as_mut_slice()?.fill(7);
    let pageable = vec![7u8; BYTES];
    let start = ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;
    let end = ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;

    let time = |f: &mut dyn FnMut() -> Result<(), cudarc::driver::DriverError>| -> Result<f64, Box<dyn std::error::Error>> {
        let mut v = Vec::new();
        for _ in 0..5 {
            start.record(&stream)?;
            f()?;
            end.record(&stream)?;
            end.synchronize()?;
            v.push(start.elapsed_ms(&end)? as f64 / 1e3);
        }
        Ok(BYTES as f64 / median(v) / 1e9)
    };
    // A device-to-device copy reads and writes each byte: report bytes copied per second.
    let d2d = time(&mut || stream.memcpy_dtod(&src, &mut dst))?;
    let h2d_pinned = time(&mut || stream.memcpy_htod(&pinned, &mut dst))?;
    let h2d_pageable = time(&mut || stream.memcpy_htod(&pageable, &mut dst))?;
    println!("| copy | GB/s (1 GiB, median of 5) |");
    println!("|---|---:|");
    println!("| device to device | {d2d:.1} |");
    println!("| host (pinned) to device | {h2d_pinned:.1} |");
    println!("| host (pageable) to device | {h2d_pageable:.1} |");
    Ok(())
}
