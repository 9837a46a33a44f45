#pragma once
// What the callback and control-socket targets drive: a real LinkService over
// a real sqlite store (on /dev/shm, so that fsync costs nothing) and an
// ApiClient whose upstream is a closed loopback port (every call fails fast
// with "connection refused", as when TikTok is unreachable). One pending
// link is started, so that inputs can name its real states: "@A" in an input
// becomes the advertiser state, "@C" the account state.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/config/config.hpp"
#include "core/http/client.hpp"
#include "core/links/link_service.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"

namespace ttlink::fuzz {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
  return future.get();
}

inline std::string state_of(const std::optional<std::string>& url) {
  if (!url) return {};
  auto u = boost::urls::parse_uri(*url);
  if (!u) return {};
  for (auto p : u->params())
    if (p.key == "state") return p.value;
  return {};
}

struct DaemonParts {
  DaemonParts() {
    dir = std::filesystem::path("/dev/shm") / ("ttlink-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto opened = store::Store::open((dir / "ttlink.db").string(), (dir / "key").string());
    if (!opened) std::abort();
    store = std::move(*opened);
    http::ClientOptions client_options;
    client_options.connect_timeout = std::chrono::milliseconds(200);
    client_options.request_timeout = std::chrono::milliseconds(200);
    http_client = std::make_unique<http::Client>(io.get_executor(), client_options);
    api = std::make_unique<tiktok::ApiClient>(
        *http_client, tiktok::ApiConfig{"http://127.0.0.1:1/open_api/v1.3", "7000000000000000001",
                                        Secret("fuzz-app-secret")});
    service = std::make_unique<links::LinkService>(*store, *api, config, log);
    auto urls = run(io, service->start("", store::Actor{"fuzz"}));
    if (!urls) std::abort();
    advertiser_state = state_of(urls->advertiser_auth_url);
    account_state = state_of(urls->account_auth_url);
    std::atexit([] { std::filesystem::remove_all(instance_dir()); });
    instance_dir() = dir;
  }

  // The input with "@A" / "@C" replaced by the pending link's states.
  std::string with_states(std::string text) const {
    for (auto [mark, state] : {std::pair{"@A", &advertiser_state}, {"@C", &account_state}})
      for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at))
        text.replace(at, 2, *state), at += state->size();
    return text;
  }

  static std::filesystem::path& instance_dir() {
    static std::filesystem::path p;
    return p;
  }

  std::filesystem::path dir;
  boost::asio::io_context io;
  config::Config config;
  Logger log{stderr, LogLevel::kError};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<http::Client> http_client;
  std::unique_ptr<tiktok::ApiClient> api;
  std::unique_ptr<links::LinkService> service;
  std::string advertiser_state;
  std::string account_state;
};

// Built once, from LLVMFuzzerInitialize: opening the store and loading the
// system's CA certificates take longer than libFuzzer allows one input.
inline DaemonParts& daemon_parts() {
  static DaemonParts parts;
  return parts;
}

}  // namespace ttlink::fuzz
