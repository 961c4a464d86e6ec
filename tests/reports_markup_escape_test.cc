// The one escaper of text from files into HTML and XML: table-driven, per context.
#include <gtest/gtest.h>

#include "reports/markup_escape.h"

namespace npf::results {
namespace {

TEST(MarkupEscape, EachContextEscapesWhatItMust) {
  struct Row {
    const char* in;
    Markup where;
    const char* out;
  };
  const Row rows[] = {
      {"<a href=\"x\">&'", Markup::Html, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"},
      {"see https://example.test", Markup::Html, "see https&#58;//example.test"},
      {"a:b", Markup::Html, "a:b"},
      {"line\n\ttab\r\x01\x7f", Markup::Html, "line\n\ttab???"},
      {"line\n\ttab\r\x01", Markup::HtmlOneLine, "line  tab  "},
      {"x://y \"q\"", Markup::HtmlOneLine, "x&#58;//y &quot;q&quot;"},
      {"<t> \"q\" 'a'\n\t\r\x02", Markup::XmlText, "&lt;t&gt; \"q\" 'a'\n\t&#13;?"},
      {"\"q\" 'a'\n\t", Markup::XmlAttribute, "&quot;q&quot; &apos;a&apos;&#10;&#9;"},
      {"http://x", Markup::XmlText, "http://x"},
      {"caf\xc3\xa9", Markup::Html, "caf\xc3\xa9"},
  };
  for (const Row& r : rows) EXPECT_EQ(escapeMarkup(r.in, r.where), r.out) << r.in;
}

}  // namespace
}  // namespace npf::results
