// YAML scalar typing shared by the decoder and the encoder (internal to model/).
//
// Kubernetes reads manifests with go-yaml (YAML 1.1 rules): an unquoted `on`, `y`, `0x50` or
// `1_000` is a boolean or a number there, not a string. The decoder rejects such plain scalars
// where a string is expected (kubectl would send the wrong type), and the encoder quotes every
// string that could be read back as anything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace npf::yamlscalar {

enum class PlainType { String, Null, Bool, Int, Float };

// How YAML 1.1 (go-yaml) or YAML 1.2 types an unquoted scalar; anything either would read as
// a non-string counts as that type.
PlainType classifyPlain(std::string_view s);

// How kubectl's decoder (go-yaml v2 inside sigs.k8s.io/yaml, then JSON) types an unquoted
// scalar: the YAML 1.1 booleans and nulls, `.inf`/`.nan`, integers as Go's ParseInt reads them
// after dropping '_' (0x1F, 0o17, 017 octal, 0b101, +80, 1_000), YAML-style floats (1e3, 80.,
// 080); timestamps and sexagesimals (1:20) stay strings there. `classifyPlain` is broader: the
// encoder quotes whatever any YAML reader might retype.
PlainType kubectlPlainType(std::string_view s);

// The integer kubectl sends for an unquoted scalar in an integer field: an integer, or a float
// with an integral value below 1e21 (JSON writes it without an exponent). nullopt otherwise (not
// a number, a fraction, infinite, or beyond int64: rejected either way).
std::optional<int64_t> kubectlInteger(std::string_view s);

// The boolean of a plain scalar under YAML 1.1 (true/false/yes/no/on/off/y/n and case
// variants), or nullopt.
std::optional<bool> parseBool(std::string_view s);

// A strict decimal integer: -?(0|[1-9][0-9]*), no sign '+', no '_', no other bases.
bool isStrictDecimal(std::string_view s);

// `s` as a YAML double-quoted scalar; every byte outside printable ASCII is escaped
// (\uXXXX / \UXXXXXXXX for valid UTF-8, so no YAML reader can reinterpret line separators
// or byte order marks). `s` must be valid UTF-8 to round trip exactly.
std::string quoted(std::string_view s);

// `s` as a YAML scalar: plain when that is unambiguous in every YAML version and in both
// block keys and values, else double-quoted.
std::string encode(std::string_view s);

// Length of the valid UTF-8 sequence at s[i] (its code point in `cp`), or 0 when the bytes
// there are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated).
size_t utf8Sequence(std::string_view s, size_t i, uint32_t& cp);

// Short, printable rendering of a scalar for diagnostics (at most ~40 bytes).
std::string excerpt(std::string_view s);

}  // namespace npf::yamlscalar
