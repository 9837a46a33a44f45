// ttlink-sandbox
#include <cstdio>
int main() {
  std::puts("ttlink-sandbox: not yet written");
  return 0;
}
