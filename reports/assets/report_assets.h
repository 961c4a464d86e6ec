// The HTML report's stylesheet and script, kept as ordinary files beside this header
// (report.css, report.js) so that they can be read and edited as CSS and JavaScript. The build
// compiles each into a NUL-terminated array (cmake/embed_asset.cmake), so that the binary needs
// no file at run time and the page stays self-contained.
#pragma once

namespace npf::results::assets {

extern const char kReportCss[];  // reports/assets/report.css
extern const char kReportJs[];   // reports/assets/report.js

}  // namespace npf::results::assets
