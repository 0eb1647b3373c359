/// Finds user-defined tokens in raw text: at a position, the longest user-defined token that
/// starts there (a byte trie). Scanning left to right and taking the longest match at each
/// position is how SentencePiece and Hugging Face `tokenizers` match them; llama.cpp instead
/// cuts out the longest tokens first, all over the text. The two can differ when one token's
/// end is another's start ("ab" and "bcd" in "abcd"); on Gemma 3's user-defined tokens (runs
/// of one character, and tags) both take the longest run from the left and agree.
struct UserDefinedTokenMatcher: Sendable {
    /// Byte values some token starts with.
    private let startsToken: [Bool]
    /// `first << 8 | second`: some token starts with these two bytes or is `first` alone.
    private let startsTokenWithPair: [Bool]
    /// Trie edges: `node << 8 | byte` → child node; node 0 is the root.
    private let children: [Int: Int32]
    /// Token id ending at each node, -1 where none ends.
    private let tokenAtNode: [Int32]

    /// True when there is nothing to match.
    let isEmpty: Bool

    /// `tokens` are (id, text) pairs; empty texts are ignored.
    init(tokens: [(id: Int32, text: String)]) {
        var startsToken = [Bool](repeating: false, count: 256)
        var startsTokenWithPair = [Bool](repeating: false, count: 1 << 16)
        var children: [Int: Int32] = [:]
        var tokenAtNode: [Int32] = [-1]
        for (id, text) in tokens {
            guard let first = text.utf8.first else { continue }
            var node: Int32 = 0
            for byte in text.utf8 {
                let edge = Int(node) << 8 | Int(byte)
                if let child = children[edge] {
                    node = child
                } else {
                    let child = Int32(tokenAtNode.count)
                    tokenAtNode.append(-1)
                    children[edge] = child
                    node = child
                }
            }
            tokenAtNode[Int(node)] = id
            startsToken[Int(first)] = true
            let utf8 = Array(text.utf8)
            let seconds = utf8.count > 1 ? [Int(utf8[1])] : Array(0..<256)
            for second in seconds { startsTokenWithPair[Int(first) << 8 | second] = true }
        }
        self.startsTokenWithPair = startsTokenWithPair
        self.startsToken = startsToken
        self.children = children
        self.tokenAtNode = tokenAtNode
        isEmpty = tokenAtNode.count == 1
    }

    /// The longest user-defined token that the `count` bytes at `text` start with.
    @inline(__always)
    func longestMatch(_ text: UnsafePointer<UInt8>, count: Int) -> (id: Int32, length: Int)? {
        guard startsToken[Int(text[0])] else { return nil }
        if count > 1 && !startsTokenWithPair[Int(text[0]) << 8 | Int(text[1])] { return nil }
        var node: Int32 = 0
        var best: (id: Int32, length: Int)?
        var index = 0
        while index < count, let child = children[Int(node) << 8 | Int(text[index])] {
            node = child
            index += 1
            let id = tokenAtNode[Int(node)]
            if id >= 0 { best = (id, index) }
        }
        return best
    }
}
