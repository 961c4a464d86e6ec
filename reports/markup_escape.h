// The one escaper for text taken from results and case files into HTML and XML (the HTML page,
// JUnit, the HTML inside Markdown reports): nothing from a file can open markup, end an
// attribute, or read as a URL in a page's source.
#pragma once

#include <string>
#include <string_view>

namespace npf::results {

enum class Markup {
  Html,          // HTML text or attribute value: & < > " ' escaped; "://" as "&#58;//"; \n \t kept
  HtmlOneLine,   // the same on one line (a Markdown <summary>): control characters become spaces
  XmlText,       // XML 1.0 text: & < > escaped; \r as &#13;
  XmlAttribute,  // XML 1.0 attribute value: also quotes, and \n \t as character references
};

// `s` escaped for `where`; characters HTML and XML 1.0 forbid (other control characters)
// become '?' (a space on one line).
std::string escapeMarkup(std::string_view s, Markup where);

// Markdown text with its active characters backslash-escaped; newlines and control characters
// become spaces (a table cell is one line).
std::string markdownText(std::string_view s);
// A code span (names, tags, signatures); escaped text when a backtick would end it early.
std::string markdownCode(std::string_view s);

}  // namespace npf::results
