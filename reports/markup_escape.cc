#include "reports/markup_escape.h"

namespace npf::results {

std::string escapeMarkup(std::string_view s, Markup where) {
  const bool html = where == Markup::Html || where == Markup::HtmlOneLine;
  const bool quotes = html || where == Markup::XmlAttribute;
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += quotes ? "&quot;" : "\"";
        continue;
      case '\'':
        out += !quotes ? "'" : html ? "&#39;" : "&apos;";
        continue;
      case ':':
        out += html && s.substr(i, 3) == "://" ? "&#58;" : ":";
        continue;
      case '\n':
      case '\t':
        if (where == Markup::HtmlOneLine)
          out += ' ';
        else if (where == Markup::XmlAttribute)
          out += c == '\n' ? "&#10;" : "&#9;";
        else
          out += char(c);
        continue;
      case '\r':
        if (!html) {
          out += "&#13;";
          continue;
        }
        break;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f)
      out += where == Markup::HtmlOneLine ? ' ' : '?';
    else
      out += char(c);
  }
  return out;
}

// Text with Markdown's active characters backslash-escaped; newlines and control characters
// become spaces (table cells are one line).
std::string markdownText(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|~#!&").find(char(c)) != std::string_view::npos) out += '\\';
    out += char(c);
  }
  return out;
}

// A code span (names, tags); plain escaped text when a backtick would end it early.
std::string markdownCode(std::string_view s) {
  if (s.empty()) return "";
  for (unsigned char c : s)
    if (c == '`' || c < 0x20 || c == 0x7f) return markdownText(s);
  std::string out = "`";
  for (char c : s) {
    if (c == '|') out += '\\';  // GitHub splits table cells on | even inside code spans
    out += c;
  }
  if (out.size() > 1 && (out[1] == ' ' || out.back() == ' ')) return markdownText(s);
  return out + "`";
}

}  // namespace npf::results
