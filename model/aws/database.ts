/** The Aurora PostgreSQL cluster's port: the EKS nodes reach it there, and nothing else does. */
export const POSTGRES_PORT = 5432;
