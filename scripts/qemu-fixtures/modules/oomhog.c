/* oomhog: allocate and touch memory 1 MiB at a time until the OOM killer acts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	unsigned long mib = 0;

	for (;;) {
		char *p = malloc(1 << 20);

		if (!p)
			break;
		memset(p, 0x5a, 1 << 20);
		if (++mib % 64 == 0)
			fprintf(stderr, "oomhog: %lu MiB\n", mib);
	}
	fprintf(stderr, "oomhog: malloc failed after %lu MiB\n", mib);
	return 1;
}
