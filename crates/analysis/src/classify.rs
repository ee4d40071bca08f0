//! Technical or not: a documented score over code, vocabulary and structure.

use crate::model::Classification;
use crate::parse::Stats;
use crate::text::{Measure, is_cjk};

/// Words that mark technical writing, lowercase and sorted for binary search.
const TECH_EN: &[&str] = &[
    "algorithm",
    "api",
    "array",
    "async",
    "backend",
    "binary",
    "boolean",
    "broker",
    "browser",
    "buffer",
    "bug",
    "build",
    "byte",
    "cache",
    "cargo",
    "cli",
    "client",
    "cluster",
    "code",
    "compile",
    "compiler",
    "config",
    "configuration",
    "configure",
    "consumer",
    "container",
    "cpu",
    "crate",
    "css",
    "database",
    "debug",
    "dependency",
    "deploy",
    "deployment",
    "docker",
    "endpoint",
    "framework",
    "frontend",
    "function",
    "git",
    "github",
    "gpu",
    "html",
    "http",
    "https",
    "install",
    "integer",
    "interface",
    "java",
    "javascript",
    "json",
    "kernel",
    "kubernetes",
    "latency",
    "library",
    "linux",
    "llm",
    "memory",
    "method",
    "module",
    "mutex",
    "network",
    "npm",
    "parameter",
    "parser",
    "plugin",
    "pointer",
    "producer",
    "protocol",
    "python",
    "query",
    "queue",
    "refactor",
    "regex",
    "repository",
    "request",
    "response",
    "runtime",
    "rust",
    "schema",
    "script",
    "sdk",
    "server",
    "shell",
    "sql",
    "stack",
    "string",
    "struct",
    "syntax",
    "thread",
    "throughput",
    "token",
    "typescript",
    "variable",
    "yaml",
];

/// Words that mark a process or a sequence of steps.
const PROCESS_EN: &[&str] = &[
    "finally",
    "first",
    "flow",
    "next",
    "phase",
    "pipeline",
    "procedure",
    "process",
    "stage",
    "step",
    "steps",
    "then",
    "workflow",
];

const TECH_ZH: &[&str] = &[
    "代码",
    "接口",
    "服务器",
    "服务端",
    "客户端",
    "数据库",
    "函数",
    "部署",
    "配置",
    "安装",
    "编译",
    "线程",
    "进程",
    "缓存",
    "查询",
    "算法",
    "框架",
    "源码",
    "变量",
    "参数",
    "内存",
    "网络",
    "协议",
    "集群",
    "消息",
    "队列",
    "模型",
    "架构",
    "命令",
    "脚本",
    "插件",
    "组件",
    "调用",
    "请求",
    "响应",
    "并发",
    "异步",
    "程序",
    "语法",
    "开发",
    "字段",
    "对象",
    "实例",
];

const PROCESS_ZH: &[&str] = &[
    "步骤",
    "首先",
    "然后",
    "接着",
    "最后",
    "流程",
    "过程",
    "阶段",
    "第一步",
    "第二步",
];

/// For each first letter, a bit per word length present in the English lists: most words
/// are rejected by one lookup before any string comparison.
const EN_FILTER: [u16; 26] = {
    let mut mask = [0u16; 26];
    let lists = [TECH_EN, PROCESS_EN];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let w = lists[l][i].as_bytes();
            mask[(w[0] - b'a') as usize] |= 1 << w.len();
            i += 1;
        }
        l += 1;
    }
    mask
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
    let mut i = 0;

    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                if !in_word {
                    m.words += 1;
                    in_word = true;
                }
                run.get_or_insert(i);
            } else {
                if let Some(start) = run.take() {
                    english_word(&text[start..i], counts);
                }
                in_word = in_word && (b == b'\'' || b == b'-');
            }
            i += 1;
            continue;
        }

        if let Some(start) = run.take() {
            english_word(&text[start..i], counts);
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
        english_word(&text[start..], counts);
    }
}

fn english_word(word: &str, counts: &mut TermCounts) {
    if !word.starts_with(|c: char| c.is_ascii_alphabetic()) || word.len() < 2 || word.len() > 13 {
        return;
    }

    let first = word.as_bytes()[0].to_ascii_lowercase();
    if EN_FILTER[(first - b'a') as usize] & (1 << word.len()) == 0 {
        return;
    }

    let mut buf = [0u8; 13];
    for (d, s) in buf.iter_mut().zip(word.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..word.len()]).unwrap_or("");

    if TECH_EN.binary_search(&lower).is_ok() {
        counts.tech += 1;
    } else if PROCESS_EN.binary_search(&lower).is_ok() {
        counts.process += 1;
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

/// The score at and above which an article is technical.
pub const THRESHOLD: f64 = 3.0;

/// Scores an article. The score is the sum of four capped parts:
///
/// - code: 0.6 per code block, at most 4.0 (code is the strongest sign);
/// - vocabulary: technical terms per 100 units of text (words, or CJK characters) times
///   0.5, at most 3.0;
/// - process: process terms per 100 units times 0.3, at most 1.0;
/// - structure: 0.1 per inline code span (at most 1.0) plus 0.3 per ordered list or
///   table (at most 1.0).
///
/// An article is technical when the score reaches [`THRESHOLD`]; the confidence is the
/// distance from the threshold over the threshold, capped at 1.0.
pub(crate) fn classify(stats: &Stats) -> Classification {
    let units = stats.measure.units().max(100) as f64;

    let code = (stats.code_blocks as f64 * 0.6).min(4.0);
    let tech_density = stats.terms.tech as f64 * 100.0 / units;
    let vocabulary = (tech_density * 0.5).min(3.0);
    let process_density = stats.terms.process as f64 * 100.0 / units;
    let process = (process_density * 0.3).min(1.0);
    let inline = (stats.inline_code as f64 * 0.1).min(1.0);
    let shapes = ((stats.ordered_lists + stats.tables) as f64 * 0.3).min(1.0);

    let score = round2(code + vocabulary + process + inline + shapes);
    let reasons = vec![
        format!("{} code blocks: +{:.2}", stats.code_blocks, code),
        format!("{tech_density:.1} technical terms per 100 words: +{vocabulary:.2}"),
        format!("{process_density:.1} process terms per 100 words: +{process:.2}"),
        format!("{} inline code spans: +{inline:.2}", stats.inline_code),
        format!(
            "{} ordered lists and tables: +{shapes:.2}",
            stats.ordered_lists + stats.tables
        ),
    ];

    Classification {
        technical: score >= THRESHOLD,
        score,
        confidence: round2(((score - THRESHOLD).abs() / THRESHOLD).min(1.0)),
        reasons,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
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
    fn term_lists_are_sorted_for_binary_search() {
        assert!(TECH_EN.windows(2).all(|w| w[0] < w[1]));
        assert!(PROCESS_EN.windows(2).all(|w| w[0] < w[1]));
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
