//! The binary is linked the way `build.rs` says: on Linux with glibc a
//! static, position-dependent executable (no program interpreter, ELF type
//! EXEC), because the hook and the shims pay the dynamic loader's cost on
//! every agent command. With `KINTSUGI_DYNAMIC_LINK=1` at build time it must
//! be an ordinary dynamically linked program instead.
#![cfg(target_os = "linux")]

const PT_INTERP: u32 = 3;
const ET_EXEC: u16 = 2;

/// (ELF type, whether a PT_INTERP program header is present) of a 64-bit
/// little-endian ELF file.
fn elf_shape(bytes: &[u8]) -> (u16, bool) {
    assert_eq!(&bytes[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(bytes[4], 2, "not a 64-bit ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let elf_type = u16_at(16);
    let phoff = u64_at(32) as usize;
    let phentsize = u16_at(54) as usize;
    let phnum = u16_at(56) as usize;
    let has_interp = (0..phnum).any(|i| u32_at(phoff + i * phentsize) == PT_INTERP);
    (elf_type, has_interp)
}

#[test]
fn the_binary_is_linked_as_build_rs_says() {
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_kintsugi")).unwrap();
    let (elf_type, has_interp) = elf_shape(&bytes);
    assert_eq!(elf_type, ET_EXEC, "the binary should be position-dependent");
    if option_env!("KINTSUGI_LINKED_STATIC").is_some() {
        assert!(!has_interp, "a static link must need no dynamic loader");
    } else {
        assert!(has_interp, "a dynamic link names its loader");
    }
}
