#include "core/links/authorization_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace ttlink::links {

namespace {

boost::urls::url base(const std::string& text) {
  auto parsed = boost::urls::parse_uri(text);
  // The config loader validated these URLs; a failure here is a bug.
  if (!parsed) throw std::logic_error("invalid authorization page URL in config");
  return *parsed;
}

}  // namespace

std::string advertiser_authorization_url(const config::Config& config, const std::string& state) {
  auto url = base(config.tiktok.advertiser_auth_url);
  url.params().append({"app_id", config.tiktok.app_id});
  url.params().append({"state", state});
  url.params().append({"redirect_uri", config.callback.public_url});
  return std::string(url.buffer());
}

std::string account_authorization_url(const config::Config& config, const std::string& state) {
  std::string scopes;
  for (const auto& s : config.tiktok.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  auto url = base(config.tiktok.account_auth_url);
  url.params().append({"client_key", config.tiktok.app_id});
  url.params().append({"scope", scopes});
  url.params().append({"response_type", "code"});
  url.params().append({"redirect_uri", config.callback.public_url});
  url.params().append({"state", state});
  return std::string(url.buffer());
}

std::string action_link_url(const config::Config& config, const std::string& token) {
  auto url = base(config.callback.public_url);
  url.set_path(std::string(url.path()) + "/reauth/" + token);
  url.remove_query();
  return std::string(url.buffer());
}

}  // namespace ttlink::links
