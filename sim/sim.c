/* sim.c — placeholder until the simulator lands (issue 3). */
#include <stdio.h>
int main(void)
{
	fputs("ccapply-sim: not implemented yet\n", stderr);
	return 2;
}
