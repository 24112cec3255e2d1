//! Builds the C shim (GDAL's variadic functions), gives libvsi.so its
//! SONAME and export list, and regenerates include/cpl_vsi_rs.h.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/capi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    cc::Build::new().file("src/capi/shim.c").warnings(true).compile("vsishim");

    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvsi.so.0");
    // rustc exports the Rust functions itself; this adds the shim's C ones.
    println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", dir.join("src/capi/shim.map").display());

    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let header = match cbindgen::Builder::new().with_src(dir.join("src/capi/mod.rs")).with_config(config).generate() {
        Ok(h) => h,
        Err(e) => {
            // A syntax error is reported by rustc with better context.
            println!("cargo:warning=cbindgen could not generate the header: {e}");
            return;
        }
    };
    let mut text = Vec::new();
    header.write(&mut text);
    let out = dir.join("include/cpl_vsi_rs.h");
    // Rewrite only on change so the header's mtime means something; CI
    // checks the committed copy is current with `git diff --exit-code`.
    if std::fs::read(&out).ok().as_deref() != Some(text.as_slice()) {
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::write(&out, &text).unwrap();
    }
}
