#include <gtest/gtest.h>

#include "model/ip.h"

namespace npf {
namespace {

TEST(ModelIp, ParsesIpv4AndIpv6) {
  auto v4 = parseIp("10.1.2.3");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, IpFamily::V4);
  EXPECT_EQ(toString(*v4), "10.1.2.3");
  auto v6 = parseIp("fd00::1:2");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, IpFamily::V6);
  EXPECT_EQ(toString(*v6), "fd00::1:2");
}

TEST(ModelIp, RejectsMalformedAddresses) {
  for (const char* bad :
       {"", "10.1.2", "10.1.2.256", "0256.1.2.3", "10.1.2.3 ", "1.2.3.4/32", "fd00::1%eth0", "::g",
        "hello", "1..2.3", "1.2.3.4.5", "+1.2.3.4", "::ffff:1.2.3", "1.2.3.-4"}) {
    EXPECT_FALSE(parseIp(bad)) << bad;
  }
}

// The API server parses addresses "sloppily" (k8s.io/utils/net, Go 1.16 rules): leading zeros
// in IPv4 fields and prefix lengths are decimal. Checked against kube-apiserver v1.31.2 (docs/
// validation.md); CNIs built with newer Go reject these forms.
TEST(ModelIp, LeadingZerosAreDecimalAsInTheApiServer) {
  EXPECT_EQ(toString(*parseIp("010.001.002.003")), "10.1.2.3");
  EXPECT_EQ(toString(*parseIp("::ffff:010.0.0.1")), "::ffff:10.0.0.1");
  EXPECT_EQ(toString(*parseCidr("010.0.0.0/08")), "10.0.0.0/8");
  EXPECT_EQ(toString(*parseCidr("0010.0.0.0/008")), "10.0.0.0/8");
  EXPECT_EQ(toString(*parseCidr("10.0.0.0/0000000000008")), "10.0.0.0/8");
}

TEST(ModelIp, CidrMasksHostBitsAndContains) {
  auto c = parseCidr("10.1.2.3/16");
  ASSERT_TRUE(c);
  EXPECT_EQ(toString(*c), "10.1.0.0/16");
  EXPECT_TRUE(c->contains(*parseIp("10.1.255.255")));
  EXPECT_FALSE(c->contains(*parseIp("10.2.0.0")));
  EXPECT_FALSE(c->contains(*parseIp("::a01:0")));  // other family never matches
}

TEST(ModelIp, CidrContainsCidrOnlyWhenNarrowerOrEqual) {
  auto wide = *parseCidr("10.0.0.0/8");
  EXPECT_TRUE(wide.contains(*parseCidr("10.1.0.0/16")));
  EXPECT_TRUE(wide.contains(wide));
  EXPECT_FALSE(parseCidr("10.1.0.0/16")->contains(wide));
  EXPECT_FALSE(wide.contains(*parseCidr("11.0.0.0/16")));
}

TEST(ModelIp, CidrEdgeLengths) {
  EXPECT_TRUE(parseCidr("0.0.0.0/0")->contains(*parseIp("255.255.255.255")));
  EXPECT_TRUE(parseCidr("10.0.0.1/32")->contains(*parseIp("10.0.0.1")));
  EXPECT_FALSE(parseCidr("10.0.0.1/32")->contains(*parseIp("10.0.0.2")));
  EXPECT_TRUE(parseCidr("::/0"));
  EXPECT_TRUE(parseCidr("fd00::/128"));
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/033", "fd00::/129", "10.0.0.0", "/8",
        "10.0.0.0/8/8", "10.0.0.0/+8", "10.0.0.0/8 ", "10.0.0.0/-0"})
    EXPECT_FALSE(parseCidr(bad)) << bad;
}

}  // namespace
}  // namespace npf
