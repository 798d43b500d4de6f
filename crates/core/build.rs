//! Compiles `proto/` with protox (pure Rust), so no `protoc` binary is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read at run time, not with `env!`: cargo may reuse this build script's binary for a
    // checkout at another path (same target dir), and a compiled-in path would point there.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR")?;
    let proto_dir = format!("{manifest_dir}/../../proto");
    let file = format!("{proto_dir}/delivery.proto");
    println!("cargo:rerun-if-changed={file}");
    let descriptors = protox::compile([file.as_str()], [proto_dir.as_str()])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
