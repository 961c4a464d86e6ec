#include "model/yaml_scalar.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <initializer_list>

namespace npf::yamlscalar {
namespace {

bool oneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s == w) return true;
  return false;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <typename Pred>
bool allOf(std::string_view s, Pred p) {
  if (s.empty()) return false;
  for (char c : s)
    if (!p(c)) return false;
  return true;
}

// [0-9]* ('.' [0-9]*)? ([eE] [-+]? [0-9]+)? with at least one mantissa digit.
bool isFloatBody(std::string_view u) {
  size_t i = 0, digits = 0;
  while (i < u.size() && isDigit(u[i])) ++i, ++digits;
  if (i < u.size() && u[i] == '.') {
    ++i;
    while (i < u.size() && isDigit(u[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < u.size() && (u[i] == 'e' || u[i] == 'E')) {
    ++i;
    if (i < u.size() && (u[i] == '+' || u[i] == '-')) ++i;
    size_t expDigits = 0;
    while (i < u.size() && isDigit(u[i])) ++i, ++expDigits;
    if (expDigits == 0) return false;
  }
  return i == u.size();
}

// YAML 1.1 sexagesimal: 190:20:30 (int) or 190:20:30.15 (float).
bool isSexagesimal(std::string_view u) {
  size_t colon = u.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!allOf(u.substr(0, colon), isDigit)) return false;
  std::string_view rest = u.substr(colon + 1);
  while (true) {
    size_t next = rest.find(':');
    std::string_view part = rest.substr(0, next);
    if (next == std::string_view::npos) {
      size_t dot = part.find('.');
      std::string_view whole = part.substr(0, dot);
      if (!allOf(whole, isDigit)) return false;
      return dot == std::string_view::npos || part.size() == dot + 1 ||
             allOf(part.substr(dot + 1), isDigit);
    }
    if (!allOf(part, isDigit)) return false;
    rest = rest.substr(next + 1);
  }
}

// The magnitude of Go's base-0 integer syntax without a sign: 0x/0o/0b prefixes, a leading 0 for
// octal, else decimal; at least one digit. nullopt when not that syntax or above 2^64.
std::optional<unsigned __int128> goMagnitudeBase0(std::string_view s) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x')
      base = 16, s.remove_prefix(2);
    else if (p == 'o')
      base = 8, s.remove_prefix(2);
    else if (p == 'b')
      base = 2, s.remove_prefix(2);
    else
      base = 8, s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  unsigned __int128 v = 0;
  for (char c : s) {
    char lower = static_cast<char>(c | 0x20);
    int d = isDigit(c) ? c - '0' : (lower >= 'a' && lower <= 'z') ? lower - 'a' + 10 : 99;
    if (d >= base) return std::nullopt;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > (static_cast<unsigned __int128>(1) << 64)) return std::nullopt;
  }
  return v;
}

// Go's strconv.ParseInt(s, 0, 64): an optional sign, then goMagnitudeBase0, within int64.
std::optional<int64_t> goParseIntBase0(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) negative = s[0] == '-', s.remove_prefix(1);
  auto v = goMagnitudeBase0(s);
  if (!v) return std::nullopt;
  if (!negative && *v > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
  if (negative && *v > static_cast<unsigned __int128>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<int64_t>(-static_cast<__int128>(*v)) : static_cast<int64_t>(*v);
}

// Go's strconv.ParseUint(s, 0, 64) succeeds: no sign, within uint64.
bool goParsesAsUint64(std::string_view s) {
  auto v = goMagnitudeBase0(s);
  return v && *v <= static_cast<unsigned __int128>(UINT64_MAX);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ (go-yaml v2's yamlStyleFloat): a sign,
// then exactly the language of isFloatBody.
bool isYamlStyleFloat(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return isFloatBody(s);
}

// go-yaml v2's timestamp check starts with exactly four digits and a '-'; such scalars are
// kept as strings when decoded into an untyped value (kubectl's case), and are never numbers.
bool startsLikeTimestamp(std::string_view s) {
  return s.size() > 4 && allOf(s.substr(0, 4), isDigit) && s[4] == '-';
}

struct KubectlNumber {
  PlainType type = PlainType::String;
  std::optional<int64_t> integer;  // Int, or an integral Float below 1e21
};

KubectlNumber kubectlNumber(std::string_view s) {
  if (s.empty() || oneOf(s, {"~", "null", "Null", "NULL"})) return {PlainType::Null, {}};
  if (parseBool(s)) return {PlainType::Bool, {}};
  if (oneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN"}))
    return {PlainType::Float, {}};
  auto fromFloat = [](const std::string& text) -> KubectlNumber {
    double v = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e21 && std::fabs(v) < 9.2e18)
      return {PlainType::Float, static_cast<int64_t>(v)};
    return {PlainType::Float, {}};
  };
  char c = s[0];
  if (c == '.') {
    // strconv.ParseFloat on the text as written.
    std::string text(s);
    if (isYamlStyleFloat(text)) return fromFloat(text);
    return {PlainType::String, {}};
  }
  if (!isDigit(c) && c != '+' && c != '-') return {PlainType::String, {}};
  if (startsLikeTimestamp(s)) return {PlainType::String, {}};
  std::string plain;
  for (char ch : s)
    if (ch != '_') plain += ch;
  if (auto v = goParseIntBase0(plain)) return {PlainType::Int, v};
  // Beyond int64 but within uint64 (ParseUint, any base): an integer, out of every range.
  if (goParsesAsUint64(plain)) return {PlainType::Int, {}};
  if (isYamlStyleFloat(plain)) return fromFloat(plain);
  return {PlainType::String, {}};
}

}  // namespace

PlainType kubectlPlainType(std::string_view s) { return kubectlNumber(s).type; }

std::optional<int64_t> kubectlInteger(std::string_view s) {
  KubectlNumber n = kubectlNumber(s);
  if (n.type != PlainType::Int && n.type != PlainType::Float) return std::nullopt;
  return n.integer;
}

size_t utf8Sequence(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len;
  uint32_t min;
  if (c < 0x80) return cp = c, 1;
  if ((c & 0xE0) == 0xC0)
    len = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    len = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    len = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::optional<bool> parseBool(std::string_view s) {
  if (oneOf(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}))
    return true;
  if (oneOf(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"}))
    return false;
  return std::nullopt;
}

PlainType classifyPlain(std::string_view s) {
  if (s.empty() || oneOf(s, {"~", "null", "Null", "NULL"})) return PlainType::Null;
  if (parseBool(s)) return PlainType::Bool;
  if (oneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN"}))
    return PlainType::Float;
  char c = s[0];
  if (!isDigit(c) && c != '+' && c != '-' && c != '.') return PlainType::String;
  // YAML 1.1 ignores '_' between digits.
  std::string t;
  for (char ch : s)
    if (ch != '_') t += ch;
  std::string_view u = t;
  if (!u.empty() && (u[0] == '+' || u[0] == '-')) u.remove_prefix(1);
  if (u.empty()) return PlainType::String;
  auto isHex = [](char ch) {
    return isDigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  };
  if (u.size() > 2 && u[0] == '0') {
    std::string_view rest = u.substr(2);
    if (u[1] == 'b' && allOf(rest, [](char ch) { return ch == '0' || ch == '1'; }))
      return PlainType::Int;
    if (u[1] == 'x' && allOf(rest, isHex)) return PlainType::Int;
    if (u[1] == 'o' && allOf(rest, [](char ch) { return ch >= '0' && ch <= '7'; }))
      return PlainType::Int;
  }
  if (allOf(u, isDigit)) return PlainType::Int;
  if (isFloatBody(u)) return PlainType::Float;
  if (isSexagesimal(u))
    return u.find('.') == std::string_view::npos ? PlainType::Int : PlainType::Float;
  return PlainType::String;
}

bool isStrictDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty() || !allOf(s, isDigit)) return false;
  return s.size() == 1 || s[0] != '0';
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"')
      out += "\\\"", ++i;
    else if (c == '\\')
      out += "\\\\", ++i;
    else if (c == '\n')
      out += "\\n", ++i;
    else if (c == '\t')
      out += "\\t", ++i;
    else if (c >= 0x20 && c < 0x7F)
      out += static_cast<char>(c), ++i;
    else if (c < 0x80)
      out += fmt::format("\\x{:02x}", c), ++i;
    else {
      uint32_t cp = 0;
      size_t len = utf8Sequence(s, i, cp);
      if (len == 0) {
        // Not representable in YAML; the validator rejects invalid UTF-8 where it matters.
        out += fmt::format("\\x{:02x}", c);
        ++i;
      } else {
        out += cp <= 0xFFFF ? fmt::format("\\u{:04x}", cp) : fmt::format("\\U{:08x}", cp);
        i += len;
      }
    }
  }
  out += '"';
  return out;
}

std::string encode(std::string_view s) {
  if (classifyPlain(s) != PlainType::String) return quoted(s);
  // Letters first: never a number, date, indicator or special word in any YAML version.
  bool safe =
      isAlpha(s[0]) && s.back() != ':' && allOf(s, [](char c) {
        return isAlpha(c) || isDigit(c) || c == '.' || c == '_' || c == '/' || c == '-' || c == ':';
      });
  // Dotted-quad addresses and prefixes (10.0.0.1, 10.0.0.0/8): read as strings everywhere.
  if (!safe) {
    int dots = 0;
    bool ok = isDigit(s[0]);
    size_t slash = s.find('/');
    std::string_view addr = s.substr(0, slash);
    for (char c : addr) {
      if (c == '.')
        ++dots;
      else if (!isDigit(c))
        ok = false;
    }
    if (slash != std::string_view::npos && !allOf(s.substr(slash + 1), isDigit)) ok = false;
    safe = ok && dots == 3 && addr.back() != '.' && addr.find("..") == std::string_view::npos;
  }
  return safe ? std::string(s) : quoted(s);
}

std::string excerpt(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= 40) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

}  // namespace npf::yamlscalar
