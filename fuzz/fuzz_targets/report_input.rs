//! Sample files as `wellspring report`/`assess` read them: SP 800-22 bit sequences from raw
//! bytes and from ASCII '0'/'1' text, with cheap SP 800-22 tests on them, and the
//! SP 800-90B assessment on samples made from the bytes.
//!
//! Input: one control byte (bits per sample = control % 10, so 0 and 9 test the refusal;
//! bit 7 set: samples are not masked to that width, to test the too-wide refusal), then
//! the data, of which at most 4096 samples are assessed so that each run stays fast.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wellspring_assess::sp800_22::{
    Bits, block_frequency, cumulative_sums, frequency, longest_run, runs,
};
use wellspring_assess::sp800_90b::{AssessOptions, assess};

/// Most samples assessed per run.
const MAX_SAMPLES: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let from_bytes = Bits::from_bytes(rest);
    assert_eq!(from_bytes.len(), 8 * rest.len());
    let from_ascii = Bits::from_ascii(rest);
    assert_eq!(
        from_ascii.len(),
        rest.iter().filter(|&&c| c == b'0' || c == b'1').count()
    );
    for bits in [&from_bytes, &from_ascii] {
        if bits.len() < 100 {
            continue;
        }
        let ones = bits.count_ones(0, bits.len());
        assert_eq!(ones as usize, bits.iter().filter(|&b| b).count());
        let p_values = [
            frequency(bits),
            block_frequency(bits, 20),
            runs(bits),
            longest_run(bits),
        ];
        let sums = cumulative_sums(bits).unwrap_or([0.5; 2]);
        for p in p_values.into_iter().flatten().chain(sums) {
            assert!((0.0..=1.0).contains(&p), "p-value {p}");
        }
    }

    let width = control % 10;
    let mask = if control & 0x80 != 0 || width >= 8 {
        0xff
    } else {
        (1u8 << width).wrapping_sub(1)
    };
    let samples: Vec<u8> = rest.iter().take(MAX_SAMPLES).map(|&b| b & mask).collect();
    let opts = AssessOptions {
        bits_per_sample: width,
        seed: Some(0),
        parallel: false,
        ..AssessOptions::default()
    };
    if let Ok(report) = assess(&samples, &opts) {
        let h = report.h_assessed;
        assert!(
            (0.0..=f64::from(width)).contains(&h),
            "h_assessed {h} for {width} bits"
        );
    }
});
