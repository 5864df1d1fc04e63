//! Any text as a Dockerfile, and as image history: parse, check, dump; never panic.
#![no_main]

use drydock_dockerfile::{
    check, dump_syntax_tree, from_history, parse, CheckConfig, HistoryEntry, HistoryInput,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let config = CheckConfig::default();
    if let Ok(dockerfile) = parse(text) {
        let lines = text.split_inclusive('\n').count();
        for instruction in &dockerfile.instructions {
            // Line ranges stay inside the file and in order.
            assert!(instruction.start_line >= 1 && instruction.start_line <= instruction.end_line);
            assert!(instruction.end_line <= lines.max(1));
        }
        let _ = check(&dockerfile, &config);
        let _ = serde_json::to_string(&dockerfile);
    }
    let _ = dump_syntax_tree(text);
    let input = HistoryInput {
        history: text
            .lines()
            .map(|line| HistoryEntry {
                created_by: line.to_string(),
                ..HistoryEntry::default()
            })
            .collect(),
        ..HistoryInput::default()
    };
    let _ = check(&from_history(&input), &config);
    let _ = HistoryInput::from_image_config(text.as_bytes());
});
