#pragma once
// Page-based lists (`page`, `page_size`, `page_info.total_page`): fetches
// every page, bounded so that a lying `total_page` cannot loop forever.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <string>
#include <string_view>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

inline constexpr int kMaxPages = 1000;

// One page's answer: the array under `list_key` and page_info.total_page
// (1 when absent).
struct PageOfList {
  boost::json::array items;
  long long total_page = 1;
};
Result<PageOfList> decode_list_page(const boost::json::object& data, std::string_view list_key,
                                    std::string_view path);

// Calls GET `path` with `query` plus page/page_size for every page and
// concatenates the arrays found under `list_key`.
boost::asio::awaitable<Result<boost::json::array>> get_all_pages(
    ApiClient& api, std::string_view path, QueryParams query, std::string_view list_key,
    const Secret* access_token, int page_size);

}  // namespace ttlink::tiktok
