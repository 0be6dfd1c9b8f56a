//! Time one argon2id derivation with the default vault parameters
//! (`cargo run --release -p kintsugi-vault --example kdf_timing`).

fn main() {
    let p = kintsugi_vault::default_kdf();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let _k = kintsugi_vault::crypto::derive_key(b"password", b"0123456789abcdef", &p).unwrap();
        println!(
            "argon2id m={} KiB t={} p={}: {} ms",
            p.m_cost,
            p.t_cost,
            p.p_cost,
            t.elapsed().as_millis()
        );
    }
}
