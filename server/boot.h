/* boot.h - restoring state at start-up and on SIGHUP (see boot.c). */
#ifndef KEFU_BOOT_H
#define KEFU_BOOT_H

int boot_restore(void);
int boot_reload_accounts(void);
/* Reload the accounts if another process changed the database since the
 * last call (cheap when nothing changed). */
int boot_accounts_refresh(void);

#endif
