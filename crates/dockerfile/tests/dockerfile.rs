//! Parser semantics (BuildKit's), history mode, the rules, the shared image and the corpus.

use drydock_dockerfile::*;

fn parse_ok(text: &str) -> Dockerfile {
    match parse(text) {
        Ok(dockerfile) => dockerfile,
        Err(error) => panic!("parse failed: {error}\n{text}"),
    }
}

fn lines(dockerfile: &Dockerfile) -> Vec<(Keyword, usize, usize)> {
    dockerfile
        .instructions
        .iter()
        .map(|instruction| {
            (
                instruction.keyword,
                instruction.start_line,
                instruction.end_line,
            )
        })
        .collect()
}

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    let mut ids: Vec<&str> = findings.iter().map(|finding| finding.rule_id).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn check_text(text: &str) -> Vec<Finding> {
    check(&parse_ok(text), &CheckConfig::default())
}

fn fires(text: &str, id: &str) -> bool {
    check_text(text).iter().any(|finding| finding.rule_id == id)
}

mod parser {
    use super::*;

    #[test]
    fn directives_only_before_anything_else() {
        let dockerfile = parse_ok(
            "# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=JSONArgsRecommended\nFROM x\n",
        );
        let names: Vec<_> = dockerfile
            .directives
            .iter()
            .map(|d| (d.name.as_str(), d.value.as_str(), d.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("syntax", "docker/dockerfile:1", 1),
                ("escape", "`", 2),
                ("check", "skip=JSONArgsRecommended", 3)
            ]
        );
        assert_eq!(dockerfile.escape, '`');

        // After a comment, a blank line or an instruction, they are plain comments.
        for text in [
            "# a comment\n# escape=`\nFROM x\n",
            "\n# escape=`\nFROM x\n",
            "FROM x\n# escape=`\n",
            "# unknown=1\n# escape=`\nFROM x\n",
        ] {
            let dockerfile = parse_ok(text);
            assert_eq!(dockerfile.escape, '\\', "{text:?}");
            assert!(
                dockerfile.directives.iter().all(|d| d.name != "escape"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn directive_errors() {
        let error = parse("# escape=x\nFROM a\n").unwrap_err();
        assert!(error.message.contains("invalid escape token"), "{error}");
        assert_eq!(error.start_line, 1);
        let error = parse("# escape=`\n# escape=\\\nFROM a\n").unwrap_err();
        assert!(error.message.contains("only one escape"), "{error}");
    }

    #[test]
    fn backtick_escape_for_windows_paths() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo done\nCOPY . c:\\app\\\nWORKDIR c:\\app\n";
        let dockerfile = parse_ok(text);
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 2, 2),
                (Keyword::Run, 3, 4),
                (Keyword::Copy, 5, 5),
                (Keyword::Workdir, 6, 6)
            ]
        );
        let run = &dockerfile.instructions[1];
        assert_eq!(
            run.command(),
            Some(&CommandLine::Shell("dir c:\\     && echo done".into()))
        );
        // With ` as escape, a trailing backslash is not a continuation.
        match &dockerfile.instructions[2].arguments {
            Arguments::Files { destination, .. } => assert_eq!(destination, "c:\\app\\"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn continuations_with_comments_and_blank_lines() {
        let text = "FROM alpine\nRUN apk add \\\n# a comment inside\n    curl \\\n\n    git\nRUN echo one\n";
        let dockerfile = parse_ok(text);
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 1, 1),
                (Keyword::Run, 2, 6),
                (Keyword::Run, 7, 7)
            ]
        );
        // Continuation lines keep their leading whitespace, comments are dropped.
        assert_eq!(
            dockerfile.instructions[1].command(),
            Some(&CommandLine::Shell("apk add     curl     git".into()))
        );
        assert_eq!(
            dockerfile.instructions[1].original,
            "RUN apk add \\\n# a comment inside\n    curl \\\n\n    git"
        );
        assert!(dockerfile
            .warnings
            .iter()
            .any(|w| w.message.contains("empty continuation")));
    }

    #[test]
    fn escaped_escape_ends_the_line_and_trailing_blanks_after_escape() {
        let dockerfile = parse_ok("FROM a\nRUN echo \\\\\nRUN echo b \\  \n  c\n");
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 1, 1),
                (Keyword::Run, 2, 2),
                (Keyword::Run, 3, 4)
            ]
        );
        assert_eq!(
            dockerfile.instructions[2].command(),
            Some(&CommandLine::Shell("echo b   c".into()))
        );
    }

    #[test]
    fn continuation_at_end_of_file() {
        let dockerfile = parse_ok("FROM a\nRUN echo \\");
        assert_eq!(
            lines(&dockerfile),
            vec![(Keyword::From, 1, 1), (Keyword::Run, 2, 2)]
        );
        assert_eq!(
            dockerfile.instructions[1].command(),
            Some(&CommandLine::Shell("echo".into()))
        );
    }

    #[test]
    fn crlf_bom_and_case() {
        let dockerfile = parse_ok("\u{feff}from a AS Build\r\nrun echo hi\r\n");
        assert_eq!(dockerfile.instructions[0].keyword, Keyword::From);
        assert_eq!(dockerfile.instructions[0].keyword_text, "from");
        assert_eq!(dockerfile.stages[0].name.as_deref(), Some("build"));
        assert_eq!(
            dockerfile.instructions[1].command(),
            Some(&CommandLine::Shell("echo hi".into()))
        );
    }

    #[test]
    fn json_and_shell_forms() {
        let dockerfile = parse_ok(
            "FROM a\nCMD [\"a\", \"b c\"]\nCMD ['a']\nENTRYPOINT [\"x\" \"y\"]\nRUN [ \"echo\" , \"\\u0041\" ]\nCMD []\n",
        );
        let commands: Vec<_> = dockerfile.instructions[1..]
            .iter()
            .map(|i| i.command().cloned())
            .collect();
        assert_eq!(
            commands,
            vec![
                Some(CommandLine::Exec(vec!["a".into(), "b c".into()])),
                // Invalid JSON falls back to the shell form, text unchanged.
                Some(CommandLine::Shell("['a']".into())),
                Some(CommandLine::Shell("[\"x\" \"y\"]".into())),
                Some(CommandLine::Exec(vec!["echo".into(), "A".into()])),
                Some(CommandLine::Exec(vec![])),
            ]
        );
        // A JSON array of non-strings is refused, as BuildKit does.
        let error = parse("FROM a\nCMD [\"a\", 1]\n").unwrap_err();
        assert!(error.message.contains("strings only"));
        assert_eq!((error.start_line, error.end_line), (2, 2));
    }

    #[test]
    fn heredocs() {
        let text = "FROM a\nRUN <<EOF\necho $HOME\nEOF\nRUN <<-'END' bash\n\techo tab\n\tEND\nCOPY <<one.txt <<\"two.txt\" /dest/\nfirst\none.txt\nsecond\ntwo.txt\nRUN cat <<EOF > /x && echo \"<<notdoc\"\nbody\nEOF\nRUN echo done\n";
        let dockerfile = parse_ok(text);
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 1, 1),
                (Keyword::Run, 2, 4),
                (Keyword::Run, 5, 7),
                (Keyword::Copy, 8, 12),
                (Keyword::Run, 13, 15),
                (Keyword::Run, 16, 16)
            ]
        );
        let first = &dockerfile.instructions[1].heredocs;
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].name.as_str(), first[0].expand, first[0].chomp),
            ("EOF", true, false)
        );
        assert_eq!(first[0].content, "echo $HOME\n");
        let chomped = &dockerfile.instructions[2].heredocs[0];
        assert_eq!(
            (chomped.name.as_str(), chomped.expand, chomped.chomp),
            ("END", false, true)
        );
        assert_eq!(chomped.content, "echo tab\n");
        let copy = &dockerfile.instructions[3];
        let names: Vec<_> = copy
            .heredocs
            .iter()
            .map(|h| (h.name.as_str(), h.content.as_str(), h.expand))
            .collect();
        assert_eq!(
            names,
            vec![("one.txt", "first\n", true), ("two.txt", "second\n", false)]
        );
        match &copy.arguments {
            Arguments::Files {
                sources,
                destination,
                ..
            } => {
                assert_eq!(
                    sources,
                    &vec!["<<one.txt".to_string(), "<<\"two.txt\"".to_string()]
                );
                assert_eq!(destination, "/dest/");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(dockerfile.instructions[4].heredocs.len(), 1);
    }

    #[test]
    fn heredoc_errors_and_non_heredoc_instructions() {
        let error = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
        assert!(error.message.contains("unterminated heredoc"));
        assert_eq!(error.start_line, 2);
        // Heredocs are only for RUN, COPY, ADD; exec form has none.
        let dockerfile = parse_ok("FROM a\nENV A=<<EOF\nRUN [\"cat\", \"<<EOF\"]\n");
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 1, 1),
                (Keyword::Env, 2, 2),
                (Keyword::Run, 3, 3)
            ]
        );
    }

    #[test]
    fn onbuild_with_heredoc() {
        let dockerfile = parse_ok("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nONBUILD COPY . /app\n");
        assert_eq!(
            lines(&dockerfile),
            vec![
                (Keyword::From, 1, 1),
                (Keyword::Onbuild, 2, 4),
                (Keyword::Onbuild, 5, 5)
            ]
        );
        match &dockerfile.instructions[1].arguments {
            Arguments::Onbuild { trigger } => assert_eq!(trigger.keyword, Keyword::Run),
            other => panic!("{other:?}"),
        }
        assert_eq!(dockerfile.instructions[1].heredocs[0].content, "echo hi\n");
        assert!(parse("FROM a\nONBUILD FROM b\n").is_err());
        assert!(parse("FROM a\nONBUILD ONBUILD RUN x\n").is_err());
    }

    #[test]
    fn healthcheck_forms() {
        let dockerfile = parse_ok(
            "FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK CMD [\"/bin/check\"]\n",
        );
        assert_eq!(
            dockerfile.instructions[1].arguments,
            Arguments::Healthcheck {
                check: Health::None
            }
        );
        let with_flags = &dockerfile.instructions[2];
        assert_eq!(with_flags.flag_value("interval"), Some("30s"));
        assert_eq!(with_flags.flag_value("retries"), Some("3"));
        assert_eq!(
            with_flags.command(),
            Some(&CommandLine::Shell(
                "curl -f http://localhost/ || exit 1".into()
            ))
        );
        assert_eq!(
            dockerfile.instructions[3].command(),
            Some(&CommandLine::Exec(vec!["/bin/check".into()]))
        );
        assert!(parse("FROM a\nHEALTHCHECK NONE x\n").is_err());
        assert!(parse("FROM a\nHEALTHCHECK BOGUS x\n").is_err());
        assert!(parse("FROM a\nHEALTHCHECK CMD\n").is_err());
    }

    #[test]
    fn run_flags() {
        let dockerfile = parse_ok(
            "FROM a\nRUN --mount=type=secret,id=npm,target=/root/.npmrc --mount=type=cache,target=/var/cache/apt --network=none --security=insecure npm ci\nRUN --mount=target=/src echo\n",
        );
        let run = &dockerfile.instructions[1];
        let mounts = run.mounts();
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[0].kind, "secret");
        assert_eq!(mounts[0].options.get("id").map(String::as_str), Some("npm"));
        assert_eq!(mounts[1].kind, "cache");
        assert_eq!(run.flag_value("network"), Some("none"));
        assert_eq!(run.flag_value("security"), Some("insecure"));
        assert_eq!(run.command(), Some(&CommandLine::Shell("npm ci".into())));
        assert_eq!(dockerfile.instructions[2].mounts()[0].kind, "bind");
        let dockerfile = parse_ok("FROM a\nRUN --bogus=1 echo\n");
        assert!(dockerfile
            .warnings
            .iter()
            .any(|w| w.message.contains("--bogus")));
    }

    #[test]
    fn stages_and_copy_from() {
        let text = "ARG BASE=golang:1.22\nFROM ${BASE} AS Build\nRUN go build\nFROM --platform=$BUILDPLATFORM alpine:3.20\nCOPY --from=build /out /bin/\nFROM build AS test\n";
        let dockerfile = parse_ok(text);
        assert_eq!(dockerfile.stages.len(), 3);
        assert_eq!(dockerfile.stages[0].base, "golang:1.22");
        assert_eq!(dockerfile.stages[0].name.as_deref(), Some("build"));
        assert_eq!(dockerfile.stages[1].platform.as_deref(), Some(""));
        assert_eq!(dockerfile.stages[2].base_stage, Some(0));
        assert_eq!(dockerfile.instructions[0].stage, None);
        assert_eq!(dockerfile.instructions[4].stage, Some(1));
        assert_eq!(dockerfile.instructions[4].flag_value("from"), Some("build"));
        assert!(parse("FROM a AS\n").is_err());
        assert!(parse("FROM a b c d\n").is_err());
    }

    #[test]
    fn arg_scope_across_stages() {
        let text = "ARG VERSION=1.0\nARG UNSET\nFROM img:${VERSION}\nRUN true\nARG VERSION\nENV V=${VERSION} U=${UNSET:-fallback}\nFROM img:$VERSION AS two\nENV W=${VERSION:-none} X=${VERSION:+set}\nARG VERSION=2.0\nENV Y=$VERSION\nENV VERSION=3 Z=$VERSION\nENV AFTER=$VERSION\n";
        let dockerfile = parse_ok(text);
        assert_eq!(dockerfile.stages[0].base, "img:1.0");
        let pairs = |index: usize| -> Vec<(String, String)> {
            dockerfile.instructions[index]
                .pairs()
                .iter()
                .map(|p| (p.key.clone(), p.value.clone()))
                .collect()
        };
        // A global ARG is visible in a stage only when declared again there.
        assert_eq!(
            pairs(5),
            vec![("V".into(), "1.0".into()), ("U".into(), "fallback".into())]
        );
        assert_eq!(dockerfile.stages[1].base, "img:1.0");
        assert_eq!(
            pairs(7),
            vec![("W".into(), "none".into()), ("X".into(), "".into())]
        );
        assert_eq!(pairs(9), vec![("Y".into(), "2.0".into())]);
        // Pairs on one ENV line see the environment from before that line.
        assert_eq!(
            pairs(10),
            vec![("VERSION".into(), "3".into()), ("Z".into(), "2.0".into())]
        );
        // ENV wins over ARG of the same name.
        assert_eq!(pairs(11), vec![("AFTER".into(), "3".into())]);
    }

    #[test]
    fn build_args_override_defaults() {
        let mut options = ParseOptions::default();
        options.build_args.insert("TAG".into(), "9".into());
        let dockerfile =
            parse_with("ARG TAG=1\nFROM img:$TAG\nARG TAG\nENV T=$TAG\n", &options).unwrap();
        assert_eq!(dockerfile.stages[0].base, "img:9");
        assert_eq!(dockerfile.instructions[3].pairs()[0].value, "9");
    }

    #[test]
    fn unresolved_base_is_flagged() {
        let dockerfile = parse_ok("ARG IMAGE\nFROM $IMAGE\nFROM ${REGISTRY}/app:1\n");
        assert!(!dockerfile.stages[0].base_resolved);
        assert!(!dockerfile.stages[1].base_resolved);
    }

    #[test]
    fn env_and_label_forms() {
        let dockerfile = parse_ok(
            "FROM a\nENV A b c\nENV B=\"x y\" C='$A' D=x\\ y E=\nLABEL \"com.example\"=\"v 1\"\n",
        );
        let pairs = |index: usize| -> Vec<(String, String)> {
            dockerfile.instructions[index]
                .pairs()
                .iter()
                .map(|p| (p.key.clone(), p.value.clone()))
                .collect()
        };
        assert_eq!(pairs(1), vec![("A".into(), "b c".into())]);
        assert_eq!(
            pairs(2),
            vec![
                ("B".into(), "x y".into()),
                ("C".into(), "$A".into()),
                ("D".into(), "x y".into()),
                ("E".into(), "".into())
            ]
        );
        assert_eq!(pairs(3), vec![("com.example".into(), "v 1".into())]);
        let error = parse("FROM a\nENV A=1 B\n").unwrap_err();
        assert!(error.message.contains("can't find ="), "{error}");
        assert!(parse("FROM a\nENV A\n").is_err());
    }

    #[test]
    fn copy_add_expose_volume_user_workdir() {
        let dockerfile = parse_ok(
            "FROM a\nENV DIR=/srv\nCOPY --chown=app:app [\"a b\", \"$DIR/\"]\nADD x.tar.gz y $DIR/z\nEXPOSE 80/tcp 443\nVOLUME [\"/data\", \"/logs\"]\nVOLUME /one /two\nUSER ${U:-app}:staff\nWORKDIR $DIR/app\n",
        );
        match &dockerfile.instructions[2].arguments {
            Arguments::Files {
                sources,
                destination,
                json,
            } => {
                assert_eq!(
                    (sources.clone(), destination.as_str(), *json),
                    (vec!["a b".to_string()], "/srv/", true)
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            dockerfile.instructions[2].flag_value("chown"),
            Some("app:app")
        );
        match &dockerfile.instructions[3].arguments {
            Arguments::Files {
                sources,
                destination,
                ..
            } => {
                assert_eq!(sources, &vec!["x.tar.gz".to_string(), "y".to_string()]);
                assert_eq!(destination, "/srv/z");
            }
            other => panic!("{other:?}"),
        }
        let list = |index: usize| match &dockerfile.instructions[index].arguments {
            Arguments::List { items, .. } => items.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(list(4), vec!["80/tcp", "443"]);
        assert_eq!(list(5), vec!["/data", "/logs"]);
        assert_eq!(list(6), vec!["/one", "/two"]);
        assert_eq!(dockerfile.instructions[7].text_value(), Some("app:staff"));
        assert_eq!(dockerfile.instructions[8].text_value(), Some("/srv/app"));
        assert!(parse("FROM a\nCOPY onlyone\n").is_err());
        assert!(parse("FROM a\nUSER\n").is_err());
    }

    #[test]
    fn unknown_instruction_and_before_from_are_warnings() {
        let dockerfile = parse_ok("RUN echo early\nFROM a\nFOO bar\n");
        assert_eq!(dockerfile.instructions.len(), 3);
        assert_eq!(dockerfile.instructions[2].keyword, Keyword::Unknown);
        assert_eq!(dockerfile.warnings.len(), 2);
        assert!(parse("").is_err());
        assert!(parse("# only a comment\n\n").is_err());
    }

    #[test]
    fn original_text_and_logical_line() {
        let text = "FROM a\n  RUN   echo \\\n   hi   \n";
        let dockerfile = parse_ok(text);
        let run = &dockerfile.instructions[1];
        assert_eq!(run.original, "  RUN   echo \\\n   hi   ");
        assert_eq!(run.line, "RUN   echo    hi   ");
        assert_eq!(
            run.command(),
            Some(&CommandLine::Shell("echo    hi".into()))
        );
    }

    #[test]
    fn inline_ignore_comments() {
        let text = "FROM debian:12\n# drydock ignore=DD001\nMAINTAINER me\n# drydock ignore=DD003\n\nUSER root\n";
        let dockerfile = parse_ok(text);
        assert_eq!(dockerfile.instructions[1].ignored_rules, vec!["DD001"]);
        // A blank line separates the comment from the instruction.
        assert!(dockerfile.instructions[2].ignored_rules.is_empty());
        let found = ids(&check(&dockerfile, &CheckConfig::default()));
        assert!(!found.contains(&"DD001"));
        assert!(found.contains(&"DD003"));
        // hadolint's pragma works through the rule's hadolint id.
        assert!(!fires(
            "FROM a:1\n# hadolint ignore=DL3002\nUSER root\n",
            "DD003"
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "FROM a\nRUN ${",
            "FROM a\nENV A=\"unterminated",
            "FROM a\nCOPY \"a b\" /x\n",
            "FROM a\nRUN <<\n",
            "FROM a\nRUN <<EOF <<EOF\nx\nEOF\n",
            "FROM\n",
            "\\\n\\\n",
            "FROM a\nARG =x\n",
            "FROM a\nEXPOSE\n",
            "FROM a\nENV ${A:?must}=1\n",
            "FROM a\nRUN [\"\\ud800\"]\n",
            "\u{0}\u{1}FROM\u{85}a\n",
        ] {
            let _ = parse(text).map(|dockerfile| check(&dockerfile, &CheckConfig::default()));
        }
    }
}

mod rules_on_dockerfiles {
    use super::*;

    #[test]
    fn product_checks() {
        assert!(fires("FROM a:1\nMAINTAINER x\n", "DD001"));
        assert!(fires("FROM a:1\nRUN true\n", "DD002"));
        assert!(!fires("FROM a:1\nUSER app\n", "DD002"));
        assert!(fires("FROM a:1\nUSER app\nUSER 0:0\n", "DD003"));
        assert!(!fires("FROM a:1\nUSER root\nRUN x\nUSER app\n", "DD003"));
        // USER is inherited from the stage the final one is built on.
        assert!(!fires(
            "FROM a:1 AS base\nUSER app\nFROM base\nRUN x\n",
            "DD002"
        ));
        assert!(fires("FROM a:1\nADD src/ /app/\n", "DD004"));
        assert!(!fires("FROM a:1\nADD rootfs.tar.gz /\n", "DD004"));
        assert!(fires("FROM a:1\nARG GITHUB_TOKEN\n", "DD005"));
        assert!(!fires("FROM a:1\nENV GPG_KEY=ABCDEF0123\n", "DD005"));
        assert!(fires(
            "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED 0\n",
            "DD006"
        ));
        assert!(fires(
            "FROM a:1\nRUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci\n",
            "DD006"
        ));
        assert!(fires("FROM a:1\nRUN apt install -y x\n", "DD007"));
        assert!(!fires("FROM a:1\nRUN apt-get install -y x\n", "DD007"));
    }

    #[test]
    fn secret_escalation() {
        let findings =
            check_text("FROM a:1\nENV DB_PASSWORD=Acme-Prod-DB-2019! API_TOKEN=$TOKEN\n");
        let severities: Vec<_> = findings
            .iter()
            .filter(|f| f.rule_id == "DD005")
            .map(|f| f.severity)
            .collect();
        assert_eq!(severities, vec![Severity::Critical, Severity::Medium]);
    }

    #[test]
    fn further_rules() {
        let cases: &[(&str, &str, bool)] = &[
            ("FROM a:1\nRUN sudo make install\n", "DD008", true),
            ("FROM ubuntu\n", "DD009", true),
            ("FROM ubuntu:latest\n", "DD009", true),
            ("FROM ubuntu@sha256:abcd\n", "DD009", false),
            ("FROM scratch\n", "DD009", false),
            ("FROM a:1 AS b\nFROM b\n", "DD009", false),
            ("ARG IMG\nFROM $IMG\n", "DD009", false),
            ("FROM a:1\nEXPOSE 22/tcp\n", "DD010", true),
            ("FROM a:1\nEXPOSE 2222\n", "DD010", false),
            ("FROM a:1\nRUN apt-get update\n", "DD011", true),
            ("FROM a:1\nRUN apt-get update && apt-get install -y x\n", "DD011", false),
            ("FROM a:1\nRUN true\n", "DD012", true),
            ("FROM a:1\nHEALTHCHECK CMD true\n", "DD012", false),
            ("FROM a:1\nHEALTHCHECK NONE\n", "DD012", true),
            ("FROM a:1\nRUN curl -fsSLk https://x\n", "DD013", true),
            ("FROM a:1\nRUN curl --insecure https://x\n", "DD013", true),
            ("FROM a:1\nRUN curl -fsSL https://x -o y\n", "DD013", false),
            ("FROM a:1\nRUN wget --no-check-certificate https://x\n", "DD014", true),
            ("FROM a:1\nRUN pip install --trusted-host pypi.invalid x==1\n", "DD015", true),
            ("FROM a:1\nENV PIP_TRUSTED_HOST=pypi.invalid\n", "DD015", true),
            ("FROM a:1\nENV PYTHONHTTPSVERIFY=0\n", "DD016", true),
            ("FROM a:1\nRUN npm config set strict-ssl false\n", "DD017", true),
            ("FROM a:1\nRUN yarn config set strict-ssl false\n", "DD017", true),
            ("FROM a:1\nENV NPM_CONFIG_STRICT_SSL=false\n", "DD017", true),
            ("FROM a:1\nENV GIT_SSL_NO_VERIFY=1\n", "DD018", true),
            ("FROM a:1\nRUN git config --global http.sslVerify false\n", "DD018", true),
            ("FROM a:1\nRUN git -c http.sslVerify=false clone https://x\n", "DD018", true),
            ("FROM a:1\nRUN apk add --allow-untrusted x.apk\n", "DD019", true),
            ("FROM a:1\nRUN apt-get install -y --allow-unauthenticated x\n", "DD020", true),
            ("FROM a:1\nRUN apt-get install -y --force-yes x\n", "DD020", true),
            ("FROM a:1\nRUN yum install -y --nogpgcheck x\n", "DD021", true),
            ("FROM a:1\nRUN dnf install -y --setopt=gpgcheck=0 x\n", "DD021", true),
            ("FROM a:1\nRUN rpm -ivh --nosignature x.rpm\n", "DD022", true),
            ("FROM a:1\nRUN echo 'root:pw' | chpasswd\n", "DD023", true),
            ("FROM a:1\nRUN docker login -u me -p hunter2 registry.invalid\n", "DD024", true),
            ("FROM a:1\nRUN git clone https://me:tok3nValue@git.invalid/r.git\n", "DD024", true),
            ("FROM a:1\nRUN curl -u admin:Passw0rd! https://x\n", "DD024", true),
            ("FROM a:1\nRUN --mount=type=secret,id=t curl -u admin:Passw0rd! https://x\n", "DD024", false),
            ("FROM a:1\nRUN API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 ./publish\n", "DD024", true),
            ("FROM a:1\nVOLUME /etc\n", "DD025", true),
            ("FROM a:1\nWORKDIR /usr/bin/\n", "DD025", true),
            ("FROM a:1\nWORKDIR /app\n", "DD025", false),
            ("FROM a:1\nRUN apt-get dist-upgrade -y\n", "DD026", true),
            ("FROM a:1\nCMD a\nCMD b\n", "DD027", true),
            ("FROM a:1\nCMD a\nFROM b:1\nCMD b\n", "DD027", false),
            ("FROM a:1\nENTRYPOINT a\nENTRYPOINT b\n", "DD028", true),
            ("FROM a:1\nHEALTHCHECK CMD a\nHEALTHCHECK NONE\n", "DD029", true),
            ("FROM a:1\nWORKDIR app\n", "DD030", true),
            ("FROM a:1\nWORKDIR $HOME/app\n", "DD030", false),
            ("FROM a:1 AS x\nCOPY --from=x /a /b\n", "DD031", true),
            ("FROM a:1 AS x\nFROM b:1 AS x\n", "DD031", true),
            ("FROM a:1\nCOPY --from=1 /a /b\nFROM b:1\n", "DD031", true),
            ("FROM a:1\nCOPY --from=bilder /a /b\n", "DD031", true),
            ("FROM a:1\nCOPY --from=nginx:1.27 /a /b\n", "DD031", false),
            ("FROM a:1 AS x\nFROM b:1\nCOPY --from=x /a /b\n", "DD031", false),
            ("FROM a:1\nEXPOSE 70000\n", "DD032", true),
            ("FROM a:1\nEXPOSE 8000-8010/udp\n", "DD032", false),
            ("FROM a:1\nRUN curl -fsSL https://get.invalid | sh\n", "DD033", true),
            ("FROM a:1\nRUN wget -qO- https://x | sudo bash -s\n", "DD033", true),
            ("FROM a:1\nRUN sh -c \"$(curl -fsSL https://x)\"\n", "DD033", true),
            ("FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n", "DD034", true),
            ("FROM a:1\nRUN apt-get install -y --no-install-recommends curl=7.88\n", "DD034", false),
            ("FROM a:1\nRUN apk add --no-cache curl\n", "DD035", true),
            ("FROM a:1\nRUN apk add --no-cache curl=8.5.0-r0\n", "DD035", false),
            ("FROM a:1\nRUN pip install --no-cache-dir flask\n", "DD036", true),
            ("FROM a:1\nRUN pip install --no-cache-dir -r requirements.txt\n", "DD036", false),
            ("FROM a:1\nRUN python3 -m pip install --no-cache-dir 'flask>=2'\n", "DD036", false),
            ("FROM a:1\nRUN npm install -g typescript\n", "DD037", true),
            ("FROM a:1\nRUN npm install -g typescript@5.4.0 @scope/x@1\n", "DD037", false),
            ("FROM a:1\nRUN npm install\n", "DD037", false),
            ("FROM a:1\nRUN apt-get install -y curl=1\n", "DD038", true),
            ("FROM a:1\nRUN apk add curl=1\n", "DD039", true),
            ("FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=1\n", "DD039", false),
            ("FROM a:1\nRUN pip install x==1\n", "DD040", true),
            ("FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1\n", "DD040", false),
            ("FROM a:1\nRUN apt-get update && apt-get install -y x\n", "DD041", true),
            ("FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n", "DD041", false),
            ("FROM a:1 AS build\nRUN apt-get update && apt-get install -y x\nFROM b:1\n", "DD041", false),
            ("FROM a:1 AS base\nRUN apt-get update && apt-get install -y x\nFROM base\n", "DD041", true),
            ("FROM a:1\nRUN cd /src && make\n", "DD042", true),
            ("FROM a:1\nCMD node app.js\n", "DD043", true),
            ("FROM a:1\nCMD [\"node\", \"app.js\"]\n", "DD043", false),
            ("FROM a:1\nRUN curl x | tar -x\n", "DD044", true),
            ("FROM a:1\nRUN set -o pipefail && curl x | tar -x\n", "DD044", false),
            ("FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | tar -x\n", "DD044", false),
            ("FROM a:1\nRUN a || b\n", "DD044", false),
            ("FROM a:1\nRUN apt-get install x\n", "DD045", true),
            ("FROM a:1\nRUN apt-get -qq install x\n", "DD045", false),
            ("FROM a:1\nRUN yum install x\n", "DD046", true),
            ("FROM a:1\nRUN dnf -y install x\n", "DD046", false),
            ("FROM a:1\nCOPY a b /dst\n", "DD047", true),
            ("FROM a:1\nCOPY a b /dst/\n", "DD047", false),
            ("FROM --platform=linux/amd64 a:1\n", "DD048", true),
            ("FROM --platform=$BUILDPLATFORM a:1\n", "DD048", false),
            ("FROM a:1\nADD https://x.invalid/f.tgz /f.tgz\n", "DD049", true),
            ("FROM a:1\nADD --checksum=sha256:00 https://x.invalid/f.tgz /f.tgz\n", "DD049", false),
            ("FROM a:1\nRUN chmod -R 777 /app\n", "DD050", true),
            ("FROM a:1\nRUN chmod 755 /app\n", "DD050", false),
            ("FROM a:1\nRUN gem install bundler\n", "DD051", true),
            ("FROM a:1\nRUN gem install bundler -v 2.5.0\n", "DD051", false),
        ];
        let mut failures = Vec::new();
        for (text, id, expected) in cases {
            if fires(text, id) != *expected {
                failures.push(format!(
                    "{id} expected {expected} on {text:?}: got {:?}",
                    ids(&check_text(text))
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn heredoc_scripts_are_checked() {
        assert!(fires(
            "FROM a:1\nRUN <<EOF\nset -e\nsudo apt install x\nEOF\n",
            "DD008"
        ));
        assert!(fires(
            "FROM a:1\nRUN bash <<EOF\napt install x\nEOF\n",
            "DD007"
        ));
        // A file written by a heredoc is not a script.
        assert!(!fires(
            "FROM a:1\nRUN cat <<EOF > /etc/x\napt install x\nEOF\n",
            "DD007"
        ));
    }

    #[test]
    fn onbuild_triggers_are_checked() {
        assert!(fires("FROM a:1\nONBUILD RUN sudo make\n", "DD008"));
    }

    #[test]
    fn findings_carry_location_and_rewrite() {
        let findings = check_text("FROM a:1\nRUN apt-get update \\\n && apt install -y x\n");
        let apt = findings.iter().find(|f| f.rule_id == "DD007").unwrap();
        assert_eq!((apt.start_line, apt.end_line), (2, 3));
        assert_eq!(
            apt.instruction,
            "RUN apt-get update \\\n && apt install -y x"
        );
        assert!(apt.rewrite.contains("apt-get install"), "{}", apt.rewrite);
        assert_eq!(apt.keyword, Keyword::Run);
    }

    #[test]
    fn config_turns_rules_off() {
        let dockerfile = parse_ok("FROM a:1\nMAINTAINER me\n");
        let mut config = CheckConfig::default();
        config.disabled_rules.insert("dd001".into());
        assert!(!ids(&check(&dockerfile, &config)).contains(&"DD001"));
    }

    #[test]
    fn findings_serialize() {
        let findings = check_text("FROM a\nMAINTAINER me\n");
        let json = serde_json::to_value(&findings).unwrap();
        assert_eq!(json[0]["severity"], "medium");
        assert!(serde_json::to_string(rules()).unwrap().contains("DD051"));
        assert!(serde_json::to_string(&parse_ok("FROM a\nRUN x\n")).is_ok());
    }

    #[test]
    fn rules_md_lists_every_rule() {
        let table = include_str!("../RULES.md");
        for rule in rules() {
            let row = table
                .lines()
                .find(|line| line.starts_with(&format!("| {} ", rule.id)))
                .unwrap_or_else(|| panic!("{} missing from RULES.md", rule.id));
            assert!(row.contains(rule.severity.as_str()), "{row}");
        }
    }
}

mod history_mode {
    use super::*;

    fn entry(created_by: &str, empty_layer: bool) -> HistoryEntry {
        HistoryEntry {
            created_by: created_by.into(),
            empty_layer,
            ..HistoryEntry::default()
        }
    }

    #[test]
    fn spellings_of_several_builders() {
        let input = HistoryInput {
            history: vec![
                entry("/bin/sh -c #(nop) ADD file:0123 in / ", false),
                entry("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
                entry("/bin/sh -c apt-get update && apt install -y curl", false),
                entry(
                    "|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm ci",
                    false,
                ),
                entry("RUN /bin/sh -c sudo make # buildkit", false),
                entry("ENV A=b", true),
                entry("COPY . . # buildkit", false),
                entry("/bin/sh -c #(nop) COPY dir:abc in /app ", false),
                entry("/bin/sh -c #(nop)  USER [app]", true),
                entry("EXPOSE 8080", true),
                entry("", true),
                entry("bazel build //app", false),
            ],
            config: ConfigFacts {
                user: Some("app".into()),
                ..ConfigFacts::default()
            },
            base_history_len: Some(2),
        };
        let dockerfile = from_history(&input);
        let keywords: Vec<(Keyword, Option<usize>, bool)> = dockerfile
            .instructions
            .iter()
            .map(|i| (i.keyword, i.history_index(), i.is_base_image()))
            .collect();
        assert_eq!(
            keywords,
            vec![
                (Keyword::Add, Some(0), true),
                (Keyword::Cmd, Some(1), true),
                (Keyword::Run, Some(2), false),
                (Keyword::Arg, Some(3), false),
                (Keyword::Run, Some(3), false),
                (Keyword::Run, Some(4), false),
                (Keyword::Env, Some(5), false),
                (Keyword::Copy, Some(6), false),
                (Keyword::Copy, Some(7), false),
                (Keyword::User, Some(8), false),
                (Keyword::Expose, Some(9), false),
                (Keyword::Unknown, Some(11), false),
            ]
        );
        assert_eq!(dockerfile.instructions[2].start_line, 3);
        let findings = check(&dockerfile, &CheckConfig::default());
        let found = ids(&findings);
        for id in ["DD005", "DD007", "DD008", "DD012"] {
            assert!(found.contains(&id), "{id} in {found:?}");
        }
        // Rules that cannot apply to history stay silent.
        assert!(!found.contains(&"DD009"));
        assert!(!found.contains(&"DD002"));
        // The base image's CMD and ADD are not judged as this image's.
        let config = CheckConfig {
            skip_base_image: true,
            ..CheckConfig::default()
        };
        assert!(check(&dockerfile, &config).iter().all(|f| !f.base_image));
    }

    #[test]
    fn config_facts_become_instructions() {
        let config = br#"{"author":"Ops <ops@x.invalid>","config":{"Env":["PATH=/bin","API_KEY=AKIAABCDEFGHIJKLMNOP"],"ExposedPorts":{"22/tcp":{}},"Healthcheck":{"Test":["CMD-SHELL","curl -f localhost"]},"Volumes":{"/etc":{}}},"history":[{"created_by":"/bin/sh -c #(nop) ADD file:1 in /"}]}"#;
        let input = HistoryInput::from_image_config(config).unwrap();
        let dockerfile = from_history(&input);
        let made: Vec<(Keyword, String)> = dockerfile
            .instructions
            .iter()
            .filter_map(|i| match &i.origin {
                Origin::Config { field } => Some((i.keyword, field.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            made,
            vec![
                (Keyword::Maintainer, "author".into()),
                (Keyword::Env, "Env".into()),
                (Keyword::Expose, "ExposedPorts".into()),
                (Keyword::Healthcheck, "Healthcheck".into()),
                (Keyword::Volume, "Volumes".into()),
            ]
        );
        let found = ids(&check(&dockerfile, &CheckConfig::default()));
        for id in ["DD001", "DD002", "DD005", "DD010", "DD025"] {
            assert!(found.contains(&id), "{id} in {found:?}");
        }
        assert!(!found.contains(&"DD012"));
    }

    #[test]
    fn garbage_history_never_fails() {
        let input = HistoryInput {
            history: vec![
                entry("CMD [\"a\", 1]", true),
                entry("ENV", true),
                entry("|x", false),
                entry("RUN", false),
            ],
            ..HistoryInput::default()
        };
        let dockerfile = from_history(&input);
        assert_eq!(dockerfile.instructions.len(), 4);
        let _ = check(&dockerfile, &CheckConfig::default());
    }
}

/// The shared test images: `$DRYDOCK_SHARED`, or `../shared` beside the workspace.
mod shared_image {
    use super::*;
    use std::io::Read;
    use std::path::PathBuf;

    const PRODUCT_CHECKS: [&str; 7] = [
        "DD001", "DD002", "DD003", "DD004", "DD005", "DD006", "DD007",
    ];

    fn shared_dir() -> Option<PathBuf> {
        let dir = match std::env::var_os("DRYDOCK_SHARED") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        };
        if dir.join("images").is_dir() {
            return Some(dir);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "shared test data missing at {} (set DRYDOCK_SHARED)",
            dir.display()
        );
        println!("SKIPPED: shared test data not found at {}", dir.display());
        None
    }

    /// The product's seven checks that can fire on acme-shop. Its Dockerfile has `USER root`
    /// (so "no USER" cannot fire: "last USER is root" does) and uses `apt-get` only (so
    /// "apt in RUN" cannot fire): the other five must, and those two must stay silent.
    fn assert_product_checks(found: &[&str], what: &str) {
        for id in ["DD001", "DD003", "DD004", "DD005", "DD006"] {
            assert!(found.contains(&id), "{what}: {id} missing from {found:?}");
        }
        for id in ["DD002", "DD007"] {
            assert!(
                !found.contains(&id),
                "{what}: {id} fired, but acme-shop gives it no cause"
            );
        }
        assert_eq!(PRODUCT_CHECKS.len(), 7);
    }

    #[test]
    fn acme_shop_dockerfile() {
        let Some(shared) = shared_dir() else {
            return;
        };
        let text = std::fs::read_to_string(shared.join("images/acme-shop/Dockerfile")).unwrap();
        let dockerfile = parse_ok(&text);
        assert_eq!(dockerfile.stages.len(), 3);
        let findings = check(&dockerfile, &CheckConfig::default());
        let found = ids(&findings);
        assert_product_checks(&found, "acme-shop Dockerfile");
        let at = |id: &str| -> Vec<usize> {
            findings
                .iter()
                .filter(|f| f.rule_id == id)
                .map(|f| f.start_line)
                .collect()
        };
        // The lines hadolint reports for the shared checks (see RULES.md).
        assert_eq!(at("DD001"), vec![13]);
        assert_eq!(at("DD005"), vec![14]);
        assert_eq!(at("DD006"), vec![14]);
        assert_eq!(at("DD004"), vec![22]);
        assert_eq!(at("DD003"), vec![30]);
        assert_eq!(at("DD040"), vec![10]);
        assert_eq!(at("DD034"), vec![15]);
        assert_eq!(at("DD038"), vec![15]);
        assert_eq!(at("DD043"), vec![32]);
        assert_eq!(at("DD010"), vec![31]);
        assert!(found.contains(&"DD012"));
        let secret = findings.iter().find(|f| f.rule_id == "DD005").unwrap();
        assert_eq!(secret.severity, Severity::Critical);
    }

    /// The image config, read from the OCI archive: index.json → manifest → config blob.
    fn acme_shop_config(shared: &std::path::Path) -> Vec<u8> {
        let archive_path = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
        let read_entry = |wanted: &str| -> Vec<u8> {
            let file = std::fs::File::open(&archive_path).unwrap();
            let mut archive = tar::Archive::new(file);
            for entry in archive.entries().unwrap() {
                let mut entry = entry.unwrap();
                let path = entry
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_start_matches("./")
                    .to_string();
                if path == wanted {
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    return bytes;
                }
            }
            panic!("{wanted} not in {}", archive_path.display());
        };
        let blob = |digest: &str| format!("blobs/{}", digest.replacen(':', "/", 1));
        let index: serde_json::Value = serde_json::from_slice(&read_entry("index.json")).unwrap();
        let manifest_digest = index["manifests"][0]["digest"]
            .as_str()
            .unwrap()
            .to_string();
        let manifest: serde_json::Value =
            serde_json::from_slice(&read_entry(&blob(&manifest_digest))).unwrap();
        let config_digest = manifest["config"]["digest"].as_str().unwrap().to_string();
        read_entry(&blob(&config_digest))
    }

    #[test]
    fn acme_shop_history() {
        let Some(shared) = shared_dir() else {
            return;
        };
        let config = acme_shop_config(&shared);
        let mut input = HistoryInput::from_image_config(&config).unwrap();
        // scanlab/debian:bookworm has two history entries (ADD rootfs, CMD bash).
        input.base_history_len = Some(2);
        let dockerfile = from_history(&input);
        assert_eq!(dockerfile.source, SourceKind::History);
        let findings = check(&dockerfile, &CheckConfig::default());
        let found = ids(&findings);
        assert_product_checks(&found, "acme-shop history");
        let maintainer = findings.iter().find(|f| f.rule_id == "DD001").unwrap();
        assert_eq!(
            maintainer.start_line, 3,
            "history entry 2 is the MAINTAINER"
        );
        let add = findings.iter().find(|f| f.rule_id == "DD004").unwrap();
        assert_eq!(add.start_line, 11);
        assert!(!add.base_image);
        // The author field alone is enough when no history entry says MAINTAINER.
        input
            .history
            .retain(|entry| !entry.created_by.starts_with("MAINTAINER"));
        let without = check(&from_history(&input), &CheckConfig::default());
        assert!(ids(&without).contains(&"DD001"));
        for id in ["DD010", "DD012", "DD034", "DD038", "DD043"] {
            assert!(found.contains(&id), "{id} missing from {found:?}");
        }
    }
}

mod corpus {
    use super::*;
    use std::path::{Path, PathBuf};

    fn corpus_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
    }

    fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path, keep, out);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }

    fn is_dockerfile(path: &Path) -> bool {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        name.starts_with("Dockerfile") || name.ends_with(".Dockerfile")
    }

    #[test]
    fn project_dockerfiles_parse() {
        let mut files = Vec::new();
        files_under(&corpus_dir().join("projects"), &is_dockerfile, &mut files);
        assert!(files.len() >= 15, "{} corpus files", files.len());
        let mut failures = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            match parse(&text) {
                Ok(dockerfile) => {
                    let last = dockerfile.instructions.last().unwrap();
                    let physical_lines = text.lines().count();
                    assert!(last.end_line <= physical_lines, "{}", file.display());
                    // Line ranges are ordered and do not overlap.
                    for pair in dockerfile.instructions.windows(2) {
                        assert!(
                            pair[0].end_line < pair[1].start_line,
                            "{}: {:?}",
                            file.display(),
                            pair[1].original
                        );
                    }
                    let _ = check(&dockerfile, &CheckConfig::default());
                }
                Err(error) => failures.push(format!("{}: {error}", file.display())),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn shared_fixture_dockerfiles_parse() {
        let shared = match std::env::var_os("DRYDOCK_SHARED") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        };
        let fixtures = shared.join("data/fixtures");
        if !fixtures.is_dir() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "shared fixtures missing"
            );
            println!("SKIPPED: no shared fixtures at {}", fixtures.display());
            return;
        }
        let mut files = Vec::new();
        files_under(
            &fixtures,
            &|path: &Path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("Dockerfile"))
            },
            &mut files,
        );
        assert!(!files.is_empty());
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let dockerfile =
                parse(&text).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            assert!(!dockerfile.instructions.is_empty());
        }
    }

    /// BuildKit's own parser test files: the same syntax tree, node for node.
    #[test]
    fn buildkit_parser_testfiles() {
        let base = corpus_dir().join("buildkit-parser");
        let mut results = Vec::new();
        files_under(
            &base.join("testfiles"),
            &|path: &Path| path.ends_with("result"),
            &mut results,
        );
        assert!(results.len() >= 30);
        let mut failures = Vec::new();
        for result in &results {
            let dockerfile = result.with_file_name("Dockerfile");
            let text = std::fs::read_to_string(&dockerfile).unwrap();
            let expected = std::fs::read_to_string(result)
                .unwrap()
                .replace("\r\n", "\n");
            match dump_syntax_tree(&text) {
                Ok(dump) if dump.trim_end() == expected.trim_end() => {}
                Ok(dump) => failures.push(format!(
                    "{}\nexpected:\n{expected}\ngot:\n{dump}\n",
                    dockerfile.display()
                )),
                Err(error) => failures.push(format!("{}: {error}", dockerfile.display())),
            }
        }
        let mut negatives = Vec::new();
        files_under(
            &base.join("testfiles-negative"),
            &is_dockerfile,
            &mut negatives,
        );
        for dockerfile in &negatives {
            let text = std::fs::read_to_string(dockerfile).unwrap();
            if dump_syntax_tree(&text).is_ok() {
                failures.push(format!("{} should be refused", dockerfile.display()));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} differ:\n{}",
            failures.len(),
            results.len() + negatives.len(),
            failures.join("\n")
        );
    }
}
