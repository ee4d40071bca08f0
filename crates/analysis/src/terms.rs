//! The vocabulary of technical and process writing, and the one-pass scan that measures
//! text and counts its terms.

use crate::text::{Measure, is_cjk};

/// Words that mark technical writing, lowercase.
#[rustfmt::skip]
const TECH_EN: &[&str] = &[
    "algorithm", "api", "array", "async", "backend", "binary", "boolean", "broker", "browser",
    "buffer", "bug", "build", "byte", "cache", "cargo", "cli", "client", "cluster", "code",
    "compile", "compiler", "config", "configuration", "configure", "consumer", "container",
    "cpu", "crate", "css", "database", "debug", "dependency", "deploy", "deployment", "docker",
    "endpoint", "framework", "frontend", "function", "git", "github", "gpu", "html", "http",
    "https", "install", "integer", "interface", "java", "javascript", "json", "kernel",
    "kubernetes", "latency", "library", "linux", "llm", "memory", "method", "module", "mutex",
    "network", "npm", "parameter", "parser", "plugin", "pointer", "producer", "protocol",
    "python", "query", "queue", "refactor", "regex", "repository", "request", "response",
    "runtime", "rust", "schema", "script", "sdk", "server", "shell", "sql", "stack", "string",
    "struct", "syntax", "thread", "throughput", "token", "typescript", "variable", "yaml",
];

/// Words that mark a process or a sequence of steps.
#[rustfmt::skip]
const PROCESS_EN: &[&str] = &[
    "finally", "first", "flow", "next", "phase", "pipeline", "procedure", "process", "stage",
    "step", "steps", "then", "workflow",
];

#[rustfmt::skip]
const TECH_ZH: &[&str] = &[
    "代码", "接口", "服务器", "服务端", "客户端", "数据库", "函数", "部署", "配置", "安装", "编译", "线程", "进程", "缓存",
    "查询", "算法", "框架", "源码", "变量", "参数", "内存", "网络", "协议", "集群", "消息", "队列", "模型", "架构", "命令",
    "脚本", "插件", "组件", "调用", "请求", "响应", "并发", "异步", "程序", "语法", "开发", "字段", "对象", "实例",
];

#[rustfmt::skip]
const PROCESS_ZH: &[&str] = &[
    "步骤", "首先", "然后", "接着", "最后", "流程", "过程", "阶段", "第一步", "第二步",
];

/// Slots of the English term table: a power of two, at least four times the terms.
const EN_SLOTS: usize = 512;

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of FNV-1a over the ASCII-lowercased byte `b`.
const fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(0x0100_0000_01b3)
}

/// FNV-1a of the ASCII-lowercased bytes of a word.
const fn fnv(word: &[u8]) -> u64 {
    let mut h = FNV_START;
    let mut i = 0;
    while i < word.len() {
        h = fnv_step(h, word[i]);
        i += 1;
    }
    h
}

/// An open-addressing table of the English terms by hash: (hash, 1 technical or
/// 2 process), built at compile time, so most words cost one hash and one probe.
const EN_TABLE: [(u64, u8); EN_SLOTS] = {
    let mut table = [(0u64, 0u8); EN_SLOTS];
    let lists = [TECH_EN, PROCESS_EN];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let h = fnv(lists[l][i].as_bytes());
            let mut slot = (h as usize) & (EN_SLOTS - 1);
            while table[slot].1 != 0 {
                slot = (slot + 1) & (EN_SLOTS - 1);
            }
            table[slot] = (h, l as u8 + 1);
            i += 1;
        }
        l += 1;
    }
    table
};

/// A bit per low 12 bits of the code point of each Chinese term's first character.
const ZH_FILTER: [u64; 64] = {
    let mut bits = [0u64; 64];
    let lists = [TECH_ZH, PROCESS_ZH];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let key = zh_key(lists[l][i].as_bytes());
            bits[key / 64] |= 1 << (key % 64);
            i += 1;
        }
        l += 1;
    }
    bits
};

/// The low 12 bits of a three-byte UTF-8 character's code point.
const fn zh_key(utf8: &[u8]) -> usize {
    (((utf8[1] & 0x3f) as usize) << 6) | (utf8[2] & 0x3f) as usize
}

/// Hits of the vocabulary lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TermCounts {
    pub tech: usize,
    pub process: usize,
}

/// Measures `text` and counts its technical and process terms, in one pass: whole ASCII
/// words against the English lists, substrings at each CJK character against the Chinese
/// ones. Words are runs of letters and digits (an inner `'` or `-` does not split one);
/// each CJK character is one unit.
pub(crate) fn scan(text: &str, m: &mut Measure, counts: &mut TermCounts) {
    let bytes = text.as_bytes();
    let mut in_word = false;
    let mut run: Option<usize> = None;
    let mut hash = FNV_START;
    let mut i = 0;

    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                if !in_word {
                    m.words += 1;
                    in_word = true;
                }
                if run.is_none() {
                    run = Some(i);
                    hash = FNV_START;
                }
                hash = fnv_step(hash, b);
            } else {
                if let Some(start) = run.take() {
                    english_word(&text[start..i], hash, counts);
                }
                in_word = in_word && (b == b'\'' || b == b'-');
            }
            i += 1;
            continue;
        }

        if let Some(start) = run.take() {
            english_word(&text[start..i], hash, counts);
        }
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if is_cjk(c) {
            m.cjk += 1;
            in_word = false;
            chinese_at(rest, counts);
        } else if c.is_alphanumeric() {
            if !in_word {
                m.words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
        i += c.len_utf8();
    }

    if let Some(start) = run {
        english_word(&text[start..], hash, counts);
    }
}

/// Looks up an ASCII word whose FNV hash `h` the scan computed on the way.
fn english_word(word: &str, h: u64, counts: &mut TermCounts) {
    if !word.starts_with(|c: char| c.is_ascii_alphabetic()) || word.len() < 2 || word.len() > 13 {
        return;
    }

    let mut slot = (h as usize) & (EN_SLOTS - 1);
    while EN_TABLE[slot].1 != 0 {
        if EN_TABLE[slot].0 == h {
            let list = if EN_TABLE[slot].1 == 1 {
                TECH_EN
            } else {
                PROCESS_EN
            };
            let found = list.iter().any(|t| t.eq_ignore_ascii_case(word));
            if found && EN_TABLE[slot].1 == 1 {
                counts.tech += 1;
            } else if found {
                counts.process += 1;
            }
            return;
        }
        slot = (slot + 1) & (EN_SLOTS - 1);
    }
}

fn chinese_at(rest: &str, counts: &mut TermCounts) {
    let bytes = rest.as_bytes();
    if bytes.len() < 6 {
        return;
    }
    let key = zh_key(bytes);
    if ZH_FILTER[key / 64] & (1 << (key % 64)) == 0 {
        return;
    }

    if TECH_ZH.iter().any(|t| rest.starts_with(t)) {
        counts.tech += 1;
    } else if PROCESS_ZH.iter().any(|t| rest.starts_with(t)) {
        counts.process += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_terms_start_with_three_byte_characters() {
        let all = TECH_ZH.iter().chain(PROCESS_ZH);
        assert!(
            all.clone()
                .all(|t| t.chars().next().is_some_and(|c| c.len_utf8() == 3))
        );
        assert!(all.clone().all(|t| t.chars().count() >= 2));
    }

    #[test]
    fn every_english_term_is_found_and_others_are_not() {
        for term in TECH_EN {
            let (_, c) = scanned(&term.to_uppercase());
            assert_eq!(
                c,
                TermCounts {
                    tech: 1,
                    process: 0
                },
                "{term}"
            );
        }
        for term in PROCESS_EN {
            let (_, c) = scanned(term);
            assert_eq!(
                c,
                TermCounts {
                    tech: 0,
                    process: 1
                },
                "{term}"
            );
        }
        let (_, c) = scanned("the river and a bridge in autumn light, apis servers");
        assert_eq!(c, TermCounts::default());
    }

    fn scanned(text: &str) -> (Measure, TermCounts) {
        let (mut m, mut c) = (Measure::default(), TermCounts::default());
        scan(text, &mut m, &mut c);
        (m, c)
    }

    #[test]
    fn terms_are_counted_in_both_languages() {
        let (_, c) = scanned("First install the Server, then call the API. Rusty is not rust");
        assert_eq!(
            c,
            TermCounts {
                tech: 4,
                process: 2
            }
        );

        let (_, c) = scanned("首先配置服务器，然后部署代码。京都很美。");
        assert_eq!(
            c,
            TermCounts {
                tech: 4,
                process: 2
            }
        );
    }

    #[test]
    fn english_counts_words() {
        let (m, _) = scanned("The quick brown fox's tail, twenty-two feet. Café 3rd - x");
        assert_eq!(m, Measure { cjk: 0, words: 10 });
    }

    #[test]
    fn chinese_and_japanese_count_characters() {
        assert_eq!(scanned("我们在星期二到达。").0.cjk, 8);
        assert_eq!(scanned("ひらがなとカタカナ").0.cjk, 9);
        assert_eq!(scanned("使用 Rust 编写").0.units(), 5);
    }
}
