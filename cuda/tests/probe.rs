//! Probing never panics: where no GPU is usable (CI), it reports why; where one is, it
//! names it and can allocate on it.

#[test]
fn probe_names_the_device_or_says_why_there_is_none() {
    match kaizen_cuda::probe() {
        Ok((ctx, info)) => {
            assert!(!info.name.is_empty());
            let stream = ctx.default_stream();
            let buf = stream
                .alloc_zeros::<u8>(1 << 20)
                .expect("1 MiB on the device");
            let back = stream.clone_dtoh(&buf).expect("copy back");
            assert!(back.iter().all(|&b| b == 0));
            println!("GPU present: {}", info.name);
        }
        Err(why) => {
            assert!(!why.is_empty());
            println!("skipped: no GPU here ({why})");
        }
    }
}
