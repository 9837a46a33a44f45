// ttlinkd: parse the command line and the config, open the store, hand
// both to the daemon (daemon/daemon.*), run it.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "core/config/check.hpp"
#include "core/config/config.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"
#include "core/version.hpp"
#include "daemon/daemon.hpp"

namespace {
using namespace ttlink;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string config_path = "/etc/ttlink/ttlinkd.toml";
  bool check_config = false;
};

int serve(config::Config& config, Secret app_secret, Logger& log, const std::string& path) {
  AdjustableClock clock;
  auto store = store::Store::open(config.store.path, config.store.key_file, clock.as_clock());
  if (!store) {
    log.error("store.open_failed", {{"path", config.store.path}, {"error", store.error().message}});
    return kExitFailure;
  }
  daemon::Daemon d(config, std::move(app_secret), **store, clock, log, path);
  return d.run();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"ttlinkd: keeps TikTok Business accounts linked to Ads Manager healthy"};
  app.add_option("--config", opt.config_path, "config file")->capture_default_str();
  app.add_flag("--check-config", opt.check_config, "validate the config and exit");
  app.set_version_flag("--version", std::string("ttlinkd ") + ttlink::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  auto log = Logger::with_journal_detection();
  auto config = config::load_config(opt.config_path);
  if (!config) {
    std::fprintf(stderr, "ttlinkd: %s\n", config.error().message.c_str());
    return kExitFailure;
  }
  if (opt.check_config) {
    auto report = config::check_deployment(*config);
    std::fputs(config::render_report(report, opt.config_path).c_str(),
               report.ok() ? stdout : stderr);
    return report.ok() ? kExitOk : kExitFailure;
  }
  auto secret = config::read_app_secret(*config);
  if (!secret) {
    std::fprintf(stderr, "ttlinkd: %s\n", secret.error().message.c_str());
    return kExitFailure;
  }
  return serve(*config, std::move(*secret), log, opt.config_path);
}
