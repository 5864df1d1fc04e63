//! Finds insecure configuration inside an image's filesystem and config.
