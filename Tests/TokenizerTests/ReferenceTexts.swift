import Foundation

/// Texts for comparing an encoder with a reference: edge cases, seeded random text and
/// excerpts of real files on this machine (code, licences, documentation) plus written
/// text in many scripts.
enum ReferenceTexts {
    static let multilingual = [
        "Le cœur a ses raisons que la raison ne connaît point. Ça va? Où êtes-vous, señor Muñoz?",
        "Größe, Übermaß und Äpfel; Ærøskøbing og Þingvellir; Łódź, Kraków, Brno, Škoda, İstanbul.",
        "Съешь же ещё этих мягких французских булок, да выпей чаю. Ελληνικά: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
        "עברית נכתבת מימין לשמאל, וגם العربية تكتب من اليمين إلى اليسار؛ مرحبا بالعالم! שלום עולם.",
        "日本語のテキストは、ひらがな・カタカナ・漢字を組み合わせて書きます。東京は日本の首都です。",
        "中文文本没有空格，例如：我们今天去公园散步，天气很好。繁體中文：臺灣的夜市很熱鬧。",
        "한국어 텍스트입니다. 안녕하세요, 만나서 반갑습니다! 서울은 대한민국의 수도입니다.",
        "हिन्दी में लिखा गया वाक्य। नमस्ते दुनिया! ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ สวัสดีครับ",
        "Emoji: 🚀🔥👩‍👩‍👧‍👦 🇫🇷🇯🇵 👍🏽👋🏿 ❤️ ✔︎ — “quotes” ‘single’ … «guillemets» „Anführung“",
        "Math: ∀x ∈ ℝ, ∃y: x² + y² ≤ 1; ∑ᵢ aᵢ = ∫₀¹ f(t) dt ≈ π/4 ± ε; ½ ⅓ ¾ ⅞ Ⅻ 𝔹 𝟘𝟙𝟚",
        "Combining: e\u{301} a\u{308}\u{323} \u{915}\u{94D}\u{937} Z\u{335}\u{321}a\u{336}\u{31B}l\u{334}g\u{337}o",
        "Odd code points: \u{0}\u{1}\u{7F}\u{85}\u{A0}\u{AD}\u{200B}\u{200D}\u{2028}\u{FEFF}\u{E000}\u{F8FF}\u{10FFFD}\u{1D11E}",
    ]

    static var edgeCases: [String] {
        [
            "", " ", "  ", "a", " a", "a ", "\n", "\n\n\n", "\t", " \n ", "\r\n", "\u{2581}", "\u{2581}\u{2581}x",
            "Hello world", "The capital of France is Paris.", "  leading and trailing  ",
            String(repeating: " ", count: 31) + "x", String(repeating: " ", count: 32) + "x",
            "a" + String(repeating: " ", count: 80) + "b", String(repeating: "\n", count: 70) + "x",
            String(repeating: "\t", count: 40) + "y", " \t \n \t\t\n\n  \n",
            "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", "<bos><eos><pad><unk><mask>",
            "<0x41><0xFF><unused0>[multimodal]<start_of_image><end_of_image>",
            "<table><tr><td>1</td><td> 2 </td></tr></table>", "<p> </p><div> </div> <b> </b>", "> </",
            "<h1>Title</h1>\n<blockquote>q</blockquote><a>link</a><s>strike</s><sub>2</sub>",
            "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
            String(repeating: "abcdefghij", count: 30), String(repeating: "=", count: 500),
            String(repeating: "日本語", count: 100), String(repeating: "🚀", count: 50),
        ] + multilingual
    }

    /// Seeded random text mixing words, whitespace runs, tags, control-token spellings,
    /// punctuation, digits and many scripts.
    static func random(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let words = multilingual.flatMap { $0.split(separator: " ").map(String.init) }
        let pools: [[String]] = [
            ["the", "of", "and", "Hello", "WORLD", "naïve", "don't", "it's", "x", "I", "tokenizer", "über"],
            [" ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", " \n", "\u{A0}", "\u{3000}", String(repeating: " ", count: 33)],
            ["<b>", "</b>", "<td>", "<p>", "</p>", "> </", "<start_of_turn>", "<eos>", "<0x0A>", "\u{2581}", "[multimodal]"],
            [".", ",", "!", "?", "...", "--", "(", ")", "{", "}", "==", "->", "#", "@", "\"", "'", "`", "\\", "0", "42", "3.14"],
            words,
        ]
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<(10 + next(120)) {
                let pool = pools[next(pools.count)]
                text += pool[next(pool.count)]
            }
            return text
        }
    }

    /// About `budget` bytes of real files, taken in turn from code, licences, documentation,
    /// non-English prose and the multilingual lines, cut at line ends into pieces of at most
    /// 16 KB.
    static func fileExcerpts(budget: Int) -> [String] {
        let sources = [
            files(under: "/usr/lib/python3.11", suffix: ".py"),
            files(under: "/usr/share/common-licenses", suffix: ""),
            files(under: "/usr/share/doc", suffix: "copyright"),
            // Prose in other scripts: vim's tutor in a dozen languages, GnuPG's help texts.
            files(under: "/usr/share/vim", suffix: ".utf-8") + files(under: "/usr/share/gnupg", suffix: ".txt"),
        ]
        var iterators = sources.map { $0.makeIterator() }
        var exhausted = Set<Int>()
        var pieces: [String] = []
        var used = 0
        var turn = 0
        while used < budget && exhausted.count < iterators.count {
            defer { turn += 1 }
            let source = turn % (iterators.count + 1)
            let text: String
            if source == iterators.count {
                text = (0..<40).map { multilingual[($0 * 7 + turn) % multilingual.count] }
                    .joined(separator: [" ", "\n", "\n\n", "  "][turn % 4])
            } else {
                guard !exhausted.contains(source) else { continue }
                guard let path = iterators[source].next() else {
                    exhausted.insert(source)
                    continue
                }
                guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                text = contents
            }
            for piece in split(text) where used < budget {
                pieces.append(piece)
                used += piece.utf8.count
            }
        }
        return pieces
    }

    private static func files(under directory: String, suffix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.sorted()
            .map { directory + "/" + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
    }

    private static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current.utf8.count + line.utf8.count > 16_000 && !current.isEmpty {
                pieces.append(current)
                current = ""
            }
            current += line + "\n"
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
