/** How peers see someone whose account is deleted (contacts, block lists); their history stays. */
export const DELETED_USER_NAME = 'Deleted user';
