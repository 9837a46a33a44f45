// The daemon talks to the API over HTTPS as in production: the sandbox serves
// TLS with a self-signed certificate that the daemon trusts only through
// tiktok.ca_file.
#include <gtest/gtest.h>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";

void make_certificate(const TempDir& dir) {
  auto child = ChildProcess::spawn({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                    "subjectAltName=IP:127.0.0.1", "-keyout", dir.file("key.pem"),
                                    "-out", dir.file("cert.pem")});
  ASSERT_TRUE(child);
  ASSERT_EQ((*child)->wait(deadline_in(30s)), std::optional<int>(0)) << (*child)->stderr_text();
}

TEST(Tls, LinkingWorksOverHttpsWithTheConfiguredCaFile) {
  TempDir certs;
  make_certificate(certs);
  auto sandbox = SandboxProcess::start({"--tls", certs.file("cert.pem"), certs.file("key.pem")},
                                       certs.file("cert.pem"));
  ASSERT_EQ(sandbox->base_url().rfind("https://", 0), 0u);
  DaemonOptions options;
  options.ca_file = certs.file("cert.pem");
  auto daemon = DaemonProcess::start(*sandbox, options);
  auto id = daemon->link(kAdvertiser);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  EXPECT_TRUE(daemon->call("link.refresh", {{"id", id}}));
}

TEST(Tls, AnUntrustedCertificateIsRefusedAndNothingIsStored) {
  TempDir certs;
  make_certificate(certs);
  auto sandbox = SandboxProcess::start({"--tls", certs.file("cert.pem"), certs.file("key.pem")},
                                       certs.file("cert.pem"));
  auto daemon = DaemonProcess::start(*sandbox);  // no ca_file: system store only
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  HttpResult page;
  try {
    page = daemon->authorize(std::string(started.at("advertiser_auth_url").as_string()));
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\n" << daemon->log_text();
  }
  EXPECT_EQ(page.status, 400);
  EXPECT_NE(page.body.find("certificate verify failed"), std::string::npos) << page.body;
  auto link = daemon->must("link.get", {{"id", started.at("link_id")}}).at("link").as_object();
  EXPECT_EQ(link.at("state").as_string(), "PENDING");
  EXPECT_EQ(link.at("refresh_token_expires_at"), nullptr);
}

}  // namespace
}  // namespace ttlink::test
